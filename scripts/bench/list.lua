-- wrk script: filtered pages of the dispute list, the way agents look for work: by status, by
-- customer, by reason and month, by amount in a currency, newest or oldest or largest first,
-- and pages deep into the list by amount (the cursor says "after this claim"). The token is
-- in TOKEN; CUSTOMERS is how many customers the data has.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
math.randomseed(os.time() + (tonumber(os.getenv("SEED")) or 0))
local reasons = { "overcharged", "duplicate", "not_received", "wrong_price", "late_fee", "other" }
local currencies = { "USD", "EUR", "GBP", "CHF" }
local customers = tonumber(os.getenv("CUSTOMERS")) or 60000

local function month()
  return string.format("2024-%02d", math.random(1, 12))
end

-- A cursor as the list gives them: hex of "value<US>id".
local function cursor(value, id)
  return ((value .. "\31" .. id):gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

local pick = {
  function() return "status=open&limit=50" end,
  function() return string.format("customer=C-%06d", math.random(customers)) end,
  function()
    local m = month()
    return "reason=" .. reasons[math.random(#reasons)] .. "&opened_from=" .. m .. "-01&opened_to=" .. m .. "-28"
  end,
  function()
    local low = math.random(0, 900)
    return "currency=" .. currencies[math.random(#currencies)] .. "&min_amount=" .. low ..
      "&max_amount=" .. (low + 100) .. "&sort=-claimed_amount"
  end,
  function() return "status=open&reason=" .. reasons[math.random(#reasons)] .. "&sort=created_at&limit=20" end,
  function()
    return "currency=" .. currencies[math.random(#currencies)] .. "&sort=-claimed_amount&cursor=" ..
      cursor(math.random(0, 500000), "DSP-Z")
  end,
}

-- FAMILY=n asks only the n-th kind of page (to see which costs what).
local family = tonumber(os.getenv("FAMILY") or "")

request = function()
  local query = family and pick[family] or pick[math.random(#pick)]
  return wrk.format("GET", "/api/v1/disputes?" .. query())
end

local failures = 0
response = function(status, headers, body)
  if status ~= 200 then
    failures = failures + 1
    if failures <= 3 then io.stderr:write("list answered " .. status .. ": " .. body .. "\n") end
  end
end
