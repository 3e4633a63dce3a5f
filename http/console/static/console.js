// Amity console: plain DOM over /console/api. No build step.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { app: "", user: "", offset: 0, limit: 50, total: 0, feed: null, lastSeq: 0 };

async function api(path, params, method) {
  const q = new URLSearchParams(Object.assign({ app: state.app }, params || {}));
  const r = await fetch("/console/api/" + path + "?" + q, {
    method: method || "GET",
    headers: { "X-Amity-Console": "1" },
    credentials: "same-origin",
  });
  if (r.status === 401) { location.href = "/console/login"; throw new Error("logged out"); }
  const body = await r.json();
  if (!r.ok) throw new Error((body.error && body.error.message) || r.statusText);
  return body;
}

function cell(tr, text, cls) {
  const td = document.createElement("td");
  td.textContent = text == null ? "" : String(text);
  if (cls) td.className = cls;
  tr.appendChild(td);
  return td;
}

function when(ms) { return ms ? new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z") : ""; }

function fill(tbody, rows, render) {
  tbody.textContent = "";
  for (const row of rows) { const tr = document.createElement("tr"); render(tr, row); tbody.appendChild(tr); }
}

async function loadApps() {
  const { apps } = await api("apps", {});
  const sel = $("app");
  for (const a of apps) { const o = document.createElement("option"); o.value = o.textContent = a; sel.appendChild(o); }
  state.app = apps[0] || "";
  sel.addEventListener("change", () => { state.app = sel.value; startFeed(); refreshStatus(); refreshDead(); if (state.user) lookup(state.user, 0); });
}

async function lookup(user, offset) {
  state.user = user; state.offset = offset;
  const u = await api("user", { user, offset, limit: state.limit });
  state.total = u.friend_total;
  $("userCard").hidden = false;
  $("userName").textContent = user + (u.registered ? "" : " (not registered)");
  const f = u.follows || {};
  $("userSummary").textContent = [u.profile.name && "name " + u.profile.name, "fans " + (f.Fans || 0), "following " + (f.Following || 0),
    "waiting requests: received " + ((u.waiting_requests || {}).received || 0) + ", sent " + ((u.waiting_requests || {}).sent || 0)]
    .filter(Boolean).join(" · ");
  $("friendCount").textContent = "(" + u.friend_total + ")";
  fill($("friends").tBodies[0], u.friends, (tr, fr) => {
    cell(tr, fr.user_id, "friend"); cell(tr, fr.alias); cell(tr, when(fr.create_time)); cell(tr, (fr.groups || []).join(", "));
    const b = document.createElement("button"); b.className = "link history"; b.type = "button"; b.textContent = "history";
    b.addEventListener("click", () => pairHistory(user, fr.user_id));
    cell(tr, "").appendChild(b);
  });
  $("page").textContent = u.friend_total ? (offset + 1) + "–" + (offset + u.friends.length) + " of " + u.friend_total : "no friends";
  $("prev").disabled = offset === 0;
  $("next").disabled = offset + u.friends.length >= u.friend_total;
  $("blockCount").textContent = "(" + u.block_total + ")";
  fill($("blocks").tBodies[0], u.blocks, (tr, b) => { cell(tr, b.ID); cell(tr, when(b.Time)); });
  const groups = $("groups"); groups.textContent = "";
  for (const g of u.groups) { const li = document.createElement("li"); li.textContent = g.Name + ": " + (g.Friends || []).join(", "); groups.appendChild(li); }
  $("asOfCard").hidden = false;
  const seq = Number($("asOfSeq").max);
  if (seq > 0) await asOf({ as_of_seq: $("asOfSeq").value });
}

async function pairHistory(a, b) {
  const h = await api("history/pairs/history", { user_a: a, user_b: b });
  $("pairCard").hidden = false;
  $("pairName").textContent = a + " and " + b;
  const ol = $("timeline"); ol.textContent = "";
  for (const c of h.events) {
    const li = document.createElement("li"); li.className = c.event.type;
    li.textContent = when(Date.parse(c.event.time)) + " · #" + c.seq + " · " + c.event.type + " · " + JSON.stringify(c.event.data);
    li.dataset.seq = c.seq;
    ol.appendChild(li);
  }
  if (!h.events.length) ol.textContent = "No events between them.";
}

async function asOf(params) {
  if (!state.user) return;
  const r = await api("history/friends", Object.assign({ user: state.user }, params));
  $("asOfAt").textContent = r.as_of_seq;
  $("asOfCount").textContent = r.friends.length;
  fill($("asOf").tBodies[0], r.friends, (tr, fr) => { cell(tr, fr.user_id, "friend"); cell(tr, fr.alias); cell(tr, when(fr.create_time)); });
}

async function refreshStatus() {
  try {
    const s = await api("status", {});
    const fig = $("figures"); fig.textContent = "";
    const rows = [["stream sequence", s.stream_seq], ["model sequence", s.model_seq], ["in-order read", s.followed_seq],
      ["catch-up remaining", s.lag], ["users", s.users], ["directed edges", s.edges], ["blocks", s.blocks],
      ["history index", s.history_index_bytes + " B"], ["notifier pending", s.notifier_pending + " commits"],
      ["dead letters", s.dead_letters], ["skipped messages", s.skipped_messages], ["status", s.status]];
    for (const [k, v] of rows) {
      const a = document.createElement("span"); a.className = "muted"; a.textContent = k;
      const b = document.createElement("span"); b.textContent = v; b.dataset.figure = k;
      fig.append(a, b);
    }
    const slider = $("asOfSeq");
    const atEnd = Number(slider.value) === Number(slider.max);
    slider.max = s.followed_seq;
    if (atEnd) slider.value = s.followed_seq;
  } catch (e) { /* shown on the next refresh */ }
}

async function refreshDead() {
  const { deadletters } = await api("deadletters", {});
  $("deadCount").textContent = deadletters.length + " parked";
  const ul = $("dead"); ul.textContent = "";
  for (const d of deadletters.slice(0, 50)) { const li = document.createElement("li"); li.textContent = d.command + " " + d.event_id + ": " + (d.last_error || ""); ul.appendChild(li); }
}

function startFeed() {
  if (state.feed) state.feed.close();
  $("feed").textContent = "";
  state.feed = new EventSource("/console/api/feed?" + new URLSearchParams({ app: state.app }));
  state.feed.onmessage = (m) => {
    const c = JSON.parse(m.data);
    const div = document.createElement("div");
    div.className = "change " + c.event.type;
    div.textContent = "#" + c.seq + " " + c.event.type + " " + JSON.stringify(c.event.data);
    $("feed").prepend(div);
    while ($("feed").childElementCount > 200) $("feed").lastElementChild.remove();
  };
}

$("lookup").addEventListener("submit", (e) => { e.preventDefault(); lookup($("user").value.trim(), 0).catch(alert); });
$("prev").addEventListener("click", () => lookup(state.user, Math.max(0, state.offset - state.limit)));
$("next").addEventListener("click", () => lookup(state.user, state.offset + state.limit));
$("asOfSeq").addEventListener("input", () => asOf({ as_of_seq: $("asOfSeq").value }));
$("asOfTime").addEventListener("change", () => {
  const t = $("asOfTime").value; if (!t) return;
  asOf({ as_of_time: new Date(t).toISOString() });
});
$("replay").addEventListener("click", async () => {
  const r = await api("deadletters", {}, "POST");
  $("replayResult").textContent = "delivered " + r.delivered + ", still parked " + r.parked;
  refreshDead();
});

(async () => {
  await loadApps();
  startFeed();
  await refreshStatus();
  refreshDead();
  setInterval(refreshStatus, 2000);
})();
