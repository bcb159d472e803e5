-- wrk script for a warm tile pass: cycles through the URL paths in the file
-- named by the TILE_LIST environment variable (written by waspada-load
-- --write-list), asking for gzip like a browser, and counts X-Cache hits.
local paths = {}
for line in io.lines(os.getenv("TILE_LIST")) do
  if #line > 0 then paths[#paths + 1] = line end
end
local i = 0
local headers = { ["Accept-Encoding"] = "gzip" }
local token = os.getenv("TILE_AUTH")
if token and #token > 0 then headers["Authorization"] = token end

setup = function(thread)
  thread:set("offset", math.random(#paths))
end

request = function()
  i = i + 1
  return wrk.format("GET", paths[(i + (offset or 0)) % #paths + 1], headers)
end
