-- Argo CD health check for Songbird's Canary (flagger.app/v1beta1), for the argocd-cm key
-- resource.customizations.health.flagger.app_Canary. Written for gopher-lua (Lua 5.1), as Argo CD runs it.
--
-- It reads the kstatus conditions Songbird writes, in the order kstatus (and so Flux) reads them:
--   generation not observed yet                      -> Progressing
--   spec.suspend, status.paused, or a closed gate    -> Suspended
--   Stalled=True (invalid spec, or the run failed)   -> Degraded, with the reason (e.g. CheckFailed)
--   Reconciling=True (a run or initialization)       -> Progressing, naming the revision under analysis
--   Ready=True                                       -> Healthy
--   Ready=False                                      -> Degraded
-- A Canary written by Flagger (no Ready condition) is judged by its phase, as Argo CD's built-in check does.

local hs = {}

local function condition(kind)
  if obj.status == nil or obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == kind then
      return c
    end
  end
  return nil
end

local function said(c)
  if c.message ~= nil and c.message ~= "" then
    return c.reason .. ": " .. c.message
  end
  return c.reason
end

local function weight()
  local w = tonumber(obj.status.canaryWeight)
  if w ~= nil and w > 0 then
    return " (canary weight " .. w .. "%)"
  end
  return ""
end

local function byPhase(phase)
  if phase == "Succeeded" or phase == "Initialized" then
    return "Healthy"
  elseif phase == "Failed" then
    return "Degraded"
  elseif phase == "Waiting" or phase == "WaitingPromotion" then
    return "Suspended"
  end
  return "Progressing"
end

if obj.status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report a status"
  return hs
end

local generation = obj.metadata.generation
local observed = obj.status.observedGeneration
if generation ~= nil and observed ~= nil and observed < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. generation .. " (observed " .. observed .. ")"
  return hs
end

if obj.spec ~= nil and obj.spec.suspend == true then
  hs.status = "Suspended"
  hs.message = "Canary is suspended (spec.suspend)"
  return hs
end

if obj.status.paused ~= nil then
  hs.status = "Suspended"
  hs.message = "Canary is paused"
  if type(obj.status.paused) == "table" and obj.status.paused.reason ~= nil then
    hs.message = hs.message .. ": " .. obj.status.paused.reason
  end
  return hs
end

local stalled = condition("Stalled")
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = said(stalled)
  return hs
end

local ready = condition("Ready")
local reconciling = condition("Reconciling")
if reconciling ~= nil and reconciling.status == "True" then
  local gated = reconciling.reason == "Waiting" or reconciling.reason == "WaitingPromotion"
  if gated or (ready ~= nil and ready.reason == "WaitingForApproval") then
    hs.status = "Suspended"
  else
    hs.status = "Progressing"
  end
  hs.message = said(reconciling) .. weight()
  return hs
end

if ready ~= nil then
  if ready.status == "True" then
    hs.status = "Healthy"
  elseif ready.status == "False" then
    hs.status = "Degraded"
  else
    hs.status = "Progressing"
  end
  hs.message = said(ready)
  return hs
end

local phase = obj.status.phase or ""
hs.status = byPhase(phase)
hs.message = "Canary is " .. phase .. weight()
return hs
