-- wrk script: signed-in readers POST comments, each request as the next reader of the list, so
-- the load is spread over many accounts (rate limits are per reader).
--
--   wrk -s bench/post_comment.lua URL -- SESSIONS_FILE ARTICLE_IDS_FILE RUN_TOKEN
--
-- SESSIONS_FILE: one "sessionid csrftoken" pair a line (bench/load_benchmark.py writes it).
-- ARTICLE_IDS_FILE: one article id a line; requests go round them.
-- RUN_TOKEN: put in every comment, so that the comments of this run can be counted afterwards.
-- Prints "POST_RESULT redirects=N other=M" at the end: a successful POST answers 302.

local threads = {}
local next_thread = 0

function setup(thread)
  thread:set("thread_number", next_thread)
  next_thread = next_thread + 1
  table.insert(threads, thread)
end

local function read_lines(path)
  local lines = {}
  for line in io.lines(path) do
    if line ~= "" then table.insert(lines, line) end
  end
  return lines
end

local function urlencode(text)
  return (text:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  readers = {}
  for _, line in ipairs(read_lines(args[1])) do
    local session, token = line:match("^(%S+)%s+(%S+)$")
    table.insert(readers, { session = session, token = token })
  end
  articles = read_lines(args[2])
  run_token = args[3] or "run"
  redirects = 0
  other = 0
  sent = 0
end

function request()
  sent = sent + 1
  local reader = readers[((thread_number * 7919) + sent) % #readers + 1]
  local article = articles[(thread_number + sent) % #articles + 1]
  local text = string.format(
    "压测评论 %s %d-%d: load test comment, 第%d条。", run_token, thread_number, sent, sent
  )
  local body = "csrfmiddlewaretoken=" .. reader.token .. "&body=" .. urlencode(text)
  local headers = {
    ["Cookie"] = "sessionid=" .. reader.session .. "; csrftoken=" .. reader.token,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
  return wrk.format("POST", "/discussions/articles/" .. article .. "/comments/", headers, body)
end

function response(status, headers, body)
  if status == 302 then
    redirects = redirects + 1
  else
    other = other + 1
    if other <= 3 then
      io.stderr:write("unexpected status " .. status .. "\n")
    end
  end
end

function done(summary, latency, requests)
  local total_redirects, total_other = 0, 0
  for _, thread in ipairs(threads) do
    total_redirects = total_redirects + thread:get("redirects")
    total_other = total_other + thread:get("other")
  end
  io.write(string.format("POST_RESULT redirects=%d other=%d\n", total_redirects, total_other))
end
