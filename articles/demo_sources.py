"""The fictional publications the demo articles are reposted from."""

DEMO_SOURCES = [
    # name, homepage, description
    (
        "硅基周刊",
        "https://silicon-weekly.example/",
        "一份关注芯片、数据中心与消费电子的科技周刊（演示用虚构刊物）。",
    ),
    (
        "算力纪事",
        "https://compute-chronicle.example/",
        "面向开发者的硬件评测与体系结构专栏（演示用虚构刊物）。",
    ),
    (
        "数字前哨",
        "https://digital-outpost.example/",
        "记录技术如何改变工作与城市生活的研究型媒体（演示用虚构刊物）。",
    ),
    ("开源观察", "https://oss-watch.example/", "关注开源社区、公共数字服务与无障碍设计（演示用虚构刊物）。"),
    (
        "The Compiler Review",
        "https://compiler-review.example/",
        "Long-form reporting on programming languages and the people who maintain them "
        "(fictional, for the demo).",
    ),
    (
        "Northbound Systems Journal",
        "https://northbound-systems.example/",
        "Essays and analysis on software architecture, cloud costs and energy (fictional, for the demo).",
    ),
    (
        "Packet & Protocol",
        "https://packet-protocol.example/",
        "Reporting on networks, security and the infrastructure under the internet "
        "(fictional, for the demo).",
    ),
]
