-- Replays requests read from a file, one per line: METHOD<TAB>PATH<TAB>HEADERS<TAB>BODY, where
-- HEADERS is "name: value" pairs joined by "|" (may be empty) and BODY may be empty.
-- Arguments (after --): FILE ORDER [OFFSET]. ORDER "random" picks a line at random for every
-- request (friend views over random tokens); "sequential" sends each line once, in order, from
-- OFFSET on (payments, notifications: each needs material of its own), and counts a wrap-around
-- in the report so a reused line is never mistaken for fresh work.

local requests = {}
local order = "random"
nextIndex = 1
wrapped = 0

local function split(line, sep)
  local parts = {}
  local start = 1
  while true do
    local i = string.find(line, sep, start, true)
    if i == nil then
      table.insert(parts, string.sub(line, start))
      return parts
    end
    table.insert(parts, string.sub(line, start, i - 1))
    start = i + #sep
  end
end

function init(args)
  local file = args[1]
  order = args[2] or "random"
  nextIndex = tonumber(args[3] or "0") + 1
  for line in io.lines(file) do
    if #line > 0 then
      local fields = split(line, "\t")
      local headers = {}
      if fields[3] ~= nil and #fields[3] > 0 then
        for _, pair in ipairs(split(fields[3], "|")) do
          local colon = string.find(pair, ": ", 1, true)
          headers[string.sub(pair, 1, colon - 1)] = string.sub(pair, colon + 2)
        end
      end
      local body = fields[4]
      if body ~= nil and #body == 0 then body = nil end
      table.insert(requests, wrk.format(fields[1], fields[2], headers, body))
    end
  end
  math.randomseed(os.time())
end

function request()
  if order == "random" then
    return requests[math.random(#requests)]
  end
  if nextIndex > #requests then
    nextIndex = 1
    wrapped = wrapped + 1
  end
  local r = requests[nextIndex]
  nextIndex = nextIndex + 1
  return r
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, requests_)
  local totalWrapped = 0
  local last = 0
  for _, thread in ipairs(threads) do
    totalWrapped = totalWrapped + thread:get("wrapped")
    last = math.max(last, thread:get("nextIndex") - 1)
  end
  io.write(string.format("BENCH wrapped=%d next_offset=%d\n", totalWrapped, last))
end
