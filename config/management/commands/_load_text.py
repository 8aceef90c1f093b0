# ruff: noqa: SIM905 - word lists read better as whitespace-separated text
"""Our own vocabulary for generate_load_data: sentence templates and slot words, mixed Chinese
and English as the site's reposts are. Nothing here is taken from a real article; every
publication, person and figure is made up. Text is composed from these with a seeded random
generator, so the same seed always gives the same text.
"""

SUBJECTS_ZH = """
开源大模型 边缘推理 国产芯片 液冷数据中心 卫星直连手机 无障碍网页 内存安全内核 通行密钥 海底光缆
自动驾驶出租车 机器人仓库 量子纠错 固态电池 小型核反应堆 隐私计算 端侧语音助手 低代码平台
代码补全工具 浏览器引擎 开源维护者基金 芯片出口管制 云成本治理 单体架构回归 可观测性平台
数据库迁移 教育大模型 医疗影像算法 电动重卡 智能电网 游戏引擎授权 开源许可证 数字身份
""".split()

SUBJECTS_EN = """
RISC-V WebAssembly Rust Kubernetes PostgreSQL SQLite GPU TPU LLM eBPF Linux Passkeys
5G Starlink HBM ARM x86 Wi-Fi CUDA Zig Python TypeScript OpenTelemetry Raft CRDT
""".split()

ACTORS_ZH = """
独立开发者 初创公司 大厂工程师 开源维护者 高校实验室 监管机构 中小企业 运维团队 研究者 产品经理
投资人 硬件创业者 数据科学家 安全研究员 一线教师 城市规划者 电网调度员 出租车司机 图书馆员
""".split()

ACTORS_EN = """
maintainers regulators startups researchers operators students designers auditors investors
""".split()

PLACES = """
北京 上海 深圳 杭州 成都 香港 台北 新加坡 东京 首尔 班加罗尔 柏林 伦敦 旧金山 西雅图 赫尔辛基 内罗毕
""".split()

PROBLEMS_ZH = """
维护成本 技术债 供应链风险 能耗账单 人才流失 兼容性问题 隐私争议 标准之争 测试盲区 迁移阵痛
""".split()

DEVICES_ZH = """
笔记本 服务器 路由器 手机 电动车 机器人 卫星 基站 显卡 手表
""".split()

ZH_SENTENCES = [
    "{a}在过去{n}个月里从实验室走进了生产环境。",
    "不少{actor}认为，{a}真正的门槛不是技术，而是{problem}。",
    "在{place}，一家只有{n}名员工的团队把{e}用在了{a}上。",
    "据文中给出的数字，部署成本下降了大约{n}%。",
    "这件事的背景是，{actor}已经为{problem}争论了好几年。",
    "支持者说{a}能把{problem}降到最低，批评者则担心它只是换了一种形式。",
    "原文作者走访了{place}的{n}家公司，得到的答案并不一致。",
    "{e}社区的讨论里，有人把这称为“第二次迁移潮”。",
    "对{actor}来说，最现实的问题是：谁来为{problem}买单？",
    "文章引用的一份内部报告显示，{n}%的故障与配置有关，而不是代码本身。",
    "一位受访的{actor}说，他们花了整整{n}周才把旧系统和{e}接上。",
    "如果把时间拉长到十年，{a}的意义可能比今天看起来更大。",
    "但也有人提醒，{place}的经验未必能复制到别的地方。",
    "{a}并不新鲜，新鲜的是它终于便宜到了{actor}也用得起的程度。",
    "作者在结尾承认，关于{problem}，他没有找到令人满意的答案。",
    "从{device}到数据中心，{e}正在改变工程师做取舍的方式。",
    "有意思的是，最早尝试{a}的并不是大公司，而是{actor}。",
    "这篇报道最有价值的部分，是它记录了失败的尝试。",
    "按照目前的速度，{place}的项目预计还需要{n}个月才能完成验收。",
    "业内对{a}的估值分歧很大，原因之一是缺少公开的长期数据。",
    "文中的一张图表显示，采用{e}之后，延迟的中位数几乎减半。",
    "{actor}普遍希望监管规则先于{a}的大规模部署落地。",
    "与其说这是技术突破，不如说是{problem}终于被认真对待了。",
    "一台普通的{device}，如今就能跑起几年前需要整个机房的任务。",
]

EN_SENTENCES = [
    "The team in {place} shipped its first {e} build after {n} weeks of testing.",
    "Most {actor_en} we spoke to said the hard part was never the code.",
    "Costs fell by roughly {n} percent once the old system was switched off.",
    "Critics argue that {e} simply moves the complexity somewhere less visible.",
    "Nobody interviewed for this piece wanted to go back.",
    "The benchmark numbers look good, but they were measured on a quiet machine.",
    "Adoption is uneven: {n} of the companies surveyed had no plan at all.",
    "For {actor_en}, the question is who pays for the migration.",
    "The open question is whether {e} will still be maintained in ten years.",
    "Several engineers described the rollout as boring, which they meant as praise.",
    "The report is candid about what went wrong in the first {n} months.",
    "Regulators in {place} are expected to publish draft rules next year.",
]

ZH_HEADINGS = ["背景", "数字背后", "争议", "一线的声音", "成本账", "下一步", "尚未解决的问题", "为什么是现在"]
EN_HEADINGS = ["Background", "The numbers", "What changed", "Open questions", "Lessons"]

TITLE_TEMPLATES = [
    "{a}的下一站：{actor}怎么看",
    "为什么{actor}开始重新审视{a}",
    "{place}的{a}实验：{n}个月后的账本",
    "{e}之后，{a}还剩下什么",
    "一台{device}的{n}天：{e}实测",
    "{a}走出实验室，{problem}随之而来",
    "当{actor}遇上{e}",
    "{e} 进入{place}：一份来自一线的记录",
    "What {e} taught {actor_en} about {problem_en}",
    "The quiet economics of {e}",
    "{e} in {place}: the first {n} months",
    "关于{a}，我们可能都想错了",
    "{a}争议背后的{problem}",
    "从{device}到云：{e}的{n}年",
]

LEAD_TEMPLATES = [
    "{actor}正在用{e}解决一个老问题，代价是什么？",
    "{place}的经验说明，{a}的难点在{problem}。",
    "一篇关于{a}的长报道，以及它没有回答的问题。",
    "A close look at {e}, and at the people who maintain it.",
    "{n}家公司、{n2}次迁移，和一个反复出现的{problem}。",
]

PROBLEMS_EN = [
    "maintenance",
    "technical debt",
    "supply chains",
    "energy bills",
    "hiring",
    "compatibility",
    "privacy",
    "standards",
]

QUESTION_TEMPLATES = [
    "如果你是{actor}，你会如何评估{a}的风险？",
    "你所在的团队是否也遇到过类似的{problem}？最后是怎么解决的？",
    "文中提到的{n}%这个数字，你觉得可信吗？为什么？",
    "{a}最先会改变哪个行业？",
    "在{place}行得通的做法，换到你的城市还成立吗？",
    "Would you run {e} in production today? What would change your mind?",
    "谁应该为{problem}买单：厂商、用户还是监管者？",
    "十年后回看，{a}会是转折点还是一阵风？",
    "如果只能给作者提一个补充采访的问题，你会问什么？",
    "What is the strongest argument against {e} that the article leaves out?",
]

COMMENT_SENTENCES = [
    "同意，{a}的{problem}确实被低估了。",
    "我们公司去年也试过{e}，结果和文中说的差不多。",
    "作者忽略了{place}的情况，那边的条件完全不同。",
    "有没有人有实际的数据？感觉大家都在凭印象讨论。",
    "说到底还是成本问题。",
    "这篇写得很克制，难得。",
    "我是做{actor}这一行的，补充一点：{problem}比技术本身难多了。",
    "第三段的数字我有疑问，样本太小了。",
    "文中那位受访者的说法太乐观了。",
    "期待后续报道，尤其是失败的案例。",
    "Counterpoint: {e} solves a problem most teams don't have.",
    "We migrated to {e} last year. The first {n} weeks were rough, then it was fine.",
    "This matches what I've seen in {place}.",
    "Good summary, but the discussion questions are the best part.",
    "Honestly the boring option usually wins.",
    "I'd like to see the raw numbers before drawing conclusions.",
    "回复楼上：我不太同意，{e}在小团队里反而更合适。",
    "转给同事看了，我们正好在讨论{a}。",
    "十年前大家也是这么说{e}的。",
    "最后一段说到点子上了：没人愿意为{problem}买单。",
    "作为{actor}，我更关心维护的人能不能拿到报酬。",
    "`{e}` 的文档确实还不够好，这一点没错。",
    "**重点**：文中的测试是在空闲机器上做的。",
]

SOURCE_PREFIXES = ["晨星", "深蓝", "北辰", "青石", "远山", "Signal", "Byte", "Circuit", "Orbit", "Lattice"]
SOURCE_SUFFIXES = ["科技周刊", "评论", "观察", "Review", "Weekly", "Dispatch", "Journal", "实验室笔记"]

AUTHOR_SURNAMES = "王 李 张 刘 陈 杨 赵 黄 周 吴 徐 孙 马 朱 胡 郭 何 林 罗 高".split()
AUTHOR_GIVEN = "明 华 静 磊 洁 婷 强 军 芳 伟 敏 丹 涛 颖 杰 琳 宁 欣 博 然 晨 雪".split()
ENGLISH_NAMES = [
    "Ada Moreno",
    "Ravi Menon",
    "Lena Fischer",
    "Tomás Ortega",
    "Mei Lin",
    "Kofi Mensah",
    "Sara Lindqvist",
    "Jonah Weiss",
    "Priya Raman",
    "Ines Duarte",
]
HANDLES = ["moth", "kernelcat", "bytewise", "quietfox", "lowlatency", "nightowl", "greyhat", "tinyfs"]

TAGS = """
人工智能 大模型 开源 芯片 半导体 隐私 网络安全 自动驾驶 机器人 云计算 数据库 编程语言 量子计算 卫星 通信
能源 电池 气候 监管 反垄断 创业 投资 教育 医疗 游戏 硬件 手机 浏览器 无障碍 开发者工具 数据中心 供应链 标准
版权 劳动 远程办公 社区治理 可观测性 密码学 存储 网络 操作系统 嵌入式 物联网 交通 城市 科学 太空 生物技术
Rust Python Linux RISC-V WebAssembly Kubernetes PostgreSQL SQLite GPU LLM eBPF Passkeys 5G HBM CUDA Go
TypeScript OpenTelemetry Android iOS Wi-Fi ARM x86 CRDT Raft
""".split()

REPRINT_NOTICES = [
    "本文经{source}授权转载，版权归原作者所有。",
    "转载自{source}，已获授权。未经许可，请勿二次转载。",
    "Reprinted with the permission of {source}. All rights remain with the author.",
]
