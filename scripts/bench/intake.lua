-- wrk script: takes disputes of random invoices (a third of them of one line), as customers'
-- agents would send them. Reads BENCH_DIR/invoices.txt and BENCH_DIR/lines.txt; the token is
-- in TOKEN.
local dir = os.getenv("BENCH_DIR")
local invoices, lines = {}, {}
for id in io.lines(dir .. "/invoices.txt") do invoices[#invoices + 1] = id end
for pair in io.lines(dir .. "/lines.txt") do lines[#lines + 1] = pair end
local reasons = { "overcharged", "duplicate", "not_received", "wrong_price", "late_fee", "other" }
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
math.randomseed(os.time() + (tonumber(os.getenv("SEED")) or 0))

request = function()
  local invoice, line
  if math.random(3) == 1 then
    invoice, line = lines[math.random(#lines)]:match("(%S+) (%S+)")
  else
    invoice = invoices[math.random(#invoices)]
  end
  local body = '{"invoice_id":"' .. invoice .. '",' ..
    (line and ('"line_no":' .. line .. ',') or '') ..
    '"reason":"' .. reasons[math.random(#reasons)] .. '","claimed_amount":"' ..
    math.random(1, 500) .. '","narrative":"Load test: we were charged too much.","channel":"email"}'
  return wrk.format(nil, "/api/v1/disputes", nil, body)
end

local failures = 0
response = function(status, headers, body)
  if status ~= 201 then
    failures = failures + 1
    if failures <= 3 then io.stderr:write("intake answered " .. status .. ": " .. body .. "\n") end
  end
end
