// Amity console: plain DOM over /console/api, no build step, nothing
// fetched from elsewhere. Every text the server sends is set as text.
"use strict";

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const state = {
  app: "", view: "overview", user: "", offset: 0, limit: 50, feed: null,
  usersAfter: "", usersPrefix: "", online: null, downSince: null,
};

// The server being unreachable is shown once, in the banner and the status
// pill, and cleared when an answer comes again.
function setOnline(ok, why) {
  if (ok === state.online && (ok || state.downSince)) return;
  state.online = ok;
  const pill = $("status"), banner = $("banner");
  if (ok) {
    state.downSince = null;
    pill.className = "pill ok"; pill.textContent = "connected";
    banner.hidden = true; banner.textContent = "";
    return;
  }
  state.downSince = state.downSince || new Date();
  pill.className = "pill down"; pill.textContent = "unreachable";
  banner.hidden = false;
  banner.textContent = "The console cannot reach Amity since " + state.downSince.toLocaleTimeString() +
    " (" + why + "). What is shown may be out of date; it retries every 2 seconds.";
}

// showError puts a failed action's message where the user is looking.
function showError(err, where) {
  const el = $(where || "lookupError");
  if (err && err.offline) return; // the banner says it
  el.textContent = String((err && err.message) || err);
  el.hidden = false;
}

async function api(path, params, method) {
  const q = new URLSearchParams(Object.assign({ app: state.app }, params || {}));
  let r;
  try {
    r = await fetch("/console/api/" + path + "?" + q, {
      method: method || "GET", headers: { "X-Amity-Console": "1" }, credentials: "same-origin",
    });
  } catch (e) {
    setOnline(false, "no answer");
    const err = new Error("Amity did not answer"); err.offline = true; throw err;
  }
  if (r.status === 401) { location.href = "/console/login"; const err = new Error("logged out"); err.offline = true; throw err; }
  let body = null;
  try { body = await r.json(); } catch (e) { /* not JSON: a proxy's page */ }
  if (r.status >= 500 && !body) {
    setOnline(false, "HTTP " + r.status);
    const err = new Error("Amity answered HTTP " + r.status); err.offline = true; throw err;
  }
  setOnline(true);
  if (!r.ok) throw new Error((body && body.error && body.error.message) || ("HTTP " + r.status));
  return body;
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text != null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function cell(tr, text, cls) { const td = el("td", text, cls); tr.appendChild(td); return td; }

function when(ms) { return ms ? new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z") : ""; }

function fill(tbody, rows, render, empty, emptyText) {
  tbody.textContent = "";
  for (const row of rows) { const tr = document.createElement("tr"); render(tr, row); tbody.appendChild(tr); }
  if (empty) {
    $(empty).hidden = rows.length > 0;
    if (emptyText) $(empty).textContent = emptyText;
    tbody.parentElement.hidden = rows.length === 0;
  }
}

function userLink(id) {
  const a = el("a", id);
  a.href = "#" + new URLSearchParams({ view: "user", user: id });
  return a;
}

const SURFACES = { zim: "ZIM", tencent: "Tencent", yunxin: "Yunxin", v1: "/v1", migrate: "a migration" };

// describe says an event as a sentence: who did what.
function describe(ev) {
  const d = ev.data || {};
  const wording = d.entry && d.entry.wording ? ": “" + d.entry.wording + "”" : "";
  switch (ev.type) {
    case "UserRegistered": return d.user + " registered" + (d.name ? " as " + d.name : "");
    case "UserDeleted": return d.user + " was deleted";
    case "UserProfileUpdated": return d.user + " changed their profile";
    case "FriendAdded": return d.user + " added " + d.friend + " as a friend" + (d.reverse ? ", both ways" : "") + (d.imported ? " (imported)" : "");
    case "FriendDeleted": return d.user + " deleted " + d.friend + " as a friend" + (d.both ? ", both ways" : "");
    case "FriendUpdated": return d.user + " changed " + d.friend + "'s entry" + (d.alias != null ? " (alias “" + d.alias + "”)" : "");
    case "FriendGroupsAdded": return d.user + " made the groups " + (d.groups || []).join(", ");
    case "FriendGroupsDeleted": return d.user + " deleted the groups " + (d.groups || []).join(", ");
    case "UserBlocked": return d.user + " blocked " + d.target + (d.unfriended ? " and so unfriended them" : "");
    case "UserUnblocked": return d.user + " unblocked " + d.target;
    case "FriendRequestSent": return d.user + " asked " + d.target + " to be friends" + wording;
    case "FriendRequestAccepted": return d.user + " accepted " + d.from + "'s friend request";
    case "FriendRequestRejected": return d.user + " rejected " + d.from + "'s friend request";
    case "FriendRequestDeleted": return d.user + " deleted " + d.from + "'s friend request";
    case "UserMuted": return d.user + " muted " + d.target;
    case "UserUnmuted": return d.user + " unmuted " + d.target;
    case "UserFollowed": return d.user + " followed " + d.target;
    case "UserUnfollowed": return d.user + " unfollowed " + d.target;
  }
  return ev.type;
}

function meta(seq, ev) {
  const via = SURFACES[ev.surface] || ev.surface;
  return when(Date.parse(ev.time)) + (via ? " · through " + via : "") + " · #" + seq;
}

// ---- views ----

function show(view) {
  state.view = view;
  for (const v of ["overview", "users", "user"]) $("view-" + v).hidden = v !== view;
  for (const a of document.querySelectorAll("nav a")) {
    if (a.dataset.view === view) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
  if (view === "overview") refreshOverview().catch((e) => showError(e, "banner"));
}

async function route() {
  const p = new URLSearchParams(location.hash.slice(1));
  const view = p.get("view") || "overview";
  show(view);
  if (view === "user" && p.get("user") && p.get("user") !== state.user) {
    $("user").value = p.get("user");
    await lookup(p.get("user"), 0).catch((e) => showError(e));
  }
  if (view === "users" && !$("userList").tBodies[0].childElementCount) await findUsers(state.usersPrefix, "").catch((e) => showError(e, "usersSummary"));
}

function go(params) {
  const h = "#" + new URLSearchParams(params);
  if (location.hash === h) route(); else location.hash = h;
}

// ---- apps ----

async function loadApps() {
  const { apps } = await api("apps", {});
  const sel = $("app");
  for (const a of apps) { const o = el("option", a); o.value = a; sel.appendChild(o); }
  state.app = apps[0] || "";
  $("overviewApp").textContent = state.app;
  sel.addEventListener("change", () => {
    state.app = sel.value; $("overviewApp").textContent = state.app;
    state.user = ""; $("userDetail").hidden = true; $("userNone").hidden = false;
    $("userList").tBodies[0].textContent = "";
    startFeed(); refreshStatus(); refreshDead(); go({ view: state.view });
  });
}

// ---- user ----

async function lookup(user, offset) {
  const u = await api("user", { user, offset, limit: state.limit });
  $("lookupError").hidden = true;
  const fresh = user !== state.user;
  state.user = user; state.offset = offset;
  $("userNone").hidden = true; $("userDetail").hidden = false;
  $("userName").textContent = user + (u.registered ? "" : " (not registered)");
  const sum = $("userSummary"); sum.textContent = "";
  const f = u.follows || {};
  const rows = [["name", u.profile.name || "—"], ["registered", u.registered ? when(u.profile.registered_at) || "yes" : "no"],
    ["friends", u.friend_total], ["blocks", u.block_total], ["followers", f.followers], ["following", f.following],
    ["requests received", u.requests.received.length], ["requests sent", u.requests.sent.length]];
  for (const [k, v] of rows) sum.append(el("dt", k), el("dd", v));
  $("friendCount").textContent = "(" + u.friend_total + ")";
  fill($("friends").tBodies[0], u.friends, (tr, fr) => {
    cell(tr, "").appendChild(userLink(fr.user_id));
    cell(tr, fr.alias); cell(tr, when(fr.create_time)); cell(tr, (fr.groups || []).join(", "));
    const b = el("button", "History", "link history"); b.type = "button";
    b.setAttribute("aria-label", "History of " + user + " and " + fr.user_id);
    b.addEventListener("click", () => pairHistory(user, fr.user_id).catch((e) => showError(e)));
    cell(tr, "").appendChild(b);
  }, "friendsEmpty", user + " has no friends yet. Friends appear here as they are added through ZIM, Tencent or /v1.");
  $("page").textContent = u.friend_total ? (offset + 1) + "–" + (offset + u.friends.length) + " of " + u.friend_total : "";
  $("prev").disabled = offset === 0;
  $("next").disabled = offset + u.friends.length >= u.friend_total;
  $("blockCount").textContent = "(" + u.block_total + ")";
  fill($("blocks").tBodies[0], u.blocks, (tr, b) => { cell(tr, "").appendChild(userLink(b.user_id)); cell(tr, when(b.since)); }, "blocksEmpty");
  $("muteCount").textContent = "(" + u.mutes.length + ")";
  fill($("mutes").tBodies[0], u.mutes, (tr, m) => { cell(tr, "").appendChild(userLink(m.user_id)); cell(tr, when(m.since)); }, "mutesEmpty");
  const groups = $("groups"); groups.textContent = "";
  for (const g of u.groups) groups.appendChild(el("li", g.name + ": " + (g.friends || []).join(", ")));
  $("groupsEmpty").hidden = u.groups.length > 0;
  const reqs = u.requests.received.concat(u.requests.sent).filter((r) => r.state === "waiting");
  fill($("requests").tBodies[0], reqs, (tr, r) => {
    const who = cell(tr, ""); who.append(userLink(r.from), " → ", userLink(r.to));
    cell(tr, r.wording || "—"); cell(tr, when(r.time)); cell(tr, r.expire_time ? when(r.expire_time) : "never");
  }, "requestsEmpty");
  if (fresh) {
    // Another user: the pair history and the as-of control start over.
    $("timeline").textContent = ""; $("timelineEmpty").hidden = false; $("pairOther").value = "";
    const slider = $("asOfSeq"); slider.value = slider.max;
    $("asOfTime").value = "";
    await neighbourhood(user);
  }
  await asOf({ as_of_seq: $("asOfSeq").value });
}

async function neighbourhood(user) {
  const n = await api("neighbourhood", { user });
  const box = $("graph"); box.textContent = "";
  const friends = n.friends, blocked = n.blocked;
  const size = friends.length > 12 ? 520 : 360, c = size / 2, r = friends.length > 12 ? 200 : 120;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 " + size + " " + size);
  svg.setAttribute("role", "group");
  svg.setAttribute("aria-label", user + "'s neighbourhood: " + friends.length + " friends shown, " + n.links.length + " ties among them, " + blocked.length + " blocked");
  const pos = (i, count, radius, offset) => {
    const a = (2 * Math.PI * i) / Math.max(count, 1) - Math.PI / 2 + (offset || 0);
    return [c + radius * Math.cos(a), c + radius * Math.sin(a)];
  };
  const fp = friends.map((_, i) => pos(i, friends.length, r));
  // Blocked users on a ring of their own, between the friends.
  const bp = blocked.map((_, i) => pos(i, blocked.length, friends.length ? r + 40 : r, friends.length ? Math.PI / friends.length : 0));
  const line = (a, b, cls) => {
    const l = document.createElementNS(SVG, "line");
    l.setAttribute("x1", a[0]); l.setAttribute("y1", a[1]); l.setAttribute("x2", b[0]); l.setAttribute("y2", b[1]);
    if (cls) l.setAttribute("class", cls);
    svg.appendChild(l);
  };
  fp.forEach((p) => line([c, c], p));
  // A tie between two friends bows away from the middle, so that it does
  // not run along the user's own lines.
  for (const [i, j] of n.links) {
    const [a, b] = [fp[i], fp[j]];
    const mx = (a[0] + b[0]) / 2, my = (a[1] + b[1]) / 2, dx = b[0] - a[0], dy = b[1] - a[1];
    const len = Math.hypot(dx, dy) || 1;
    const side = (mx - c) * -dy + (my - c) * dx >= 0 ? 1 : -1;
    const q = document.createElementNS(SVG, "path");
    q.setAttribute("d", "M" + a[0] + " " + a[1] + " Q" + (mx + side * (-dy / len) * len * 0.3) + " " + (my + side * (dx / len) * len * 0.3) + " " + b[0] + " " + b[1]);
    q.setAttribute("class", "tie");
    svg.appendChild(q);
  }
  bp.forEach((p) => line([c, c], p, "blocked"));
  const node = (p, id, cls, label) => {
    const g = document.createElementNS(SVG, id === user ? "g" : "a");
    if (id !== user) {
      g.setAttribute("href", "#" + new URLSearchParams({ view: "user", user: id }));
      g.setAttribute("aria-label", label);
    }
    const circle = document.createElementNS(SVG, "circle");
    circle.setAttribute("cx", p[0]); circle.setAttribute("cy", p[1]); circle.setAttribute("r", id === user ? 14 : 9);
    circle.setAttribute("class", cls);
    const t = document.createElementNS(SVG, "text");
    t.setAttribute("x", p[0]); t.setAttribute("y", p[1] + (id === user ? 30 : 22)); t.setAttribute("text-anchor", "middle");
    t.textContent = id.length > 14 ? id.slice(0, 13) + "…" : id;
    g.append(circle, t);
    svg.appendChild(g);
  };
  friends.forEach((id, i) => {
    const ties = n.links.filter(([a, b]) => a === i || b === i).length;
    node(fp[i], id, "friend", "Friend " + id + ", " + ties + " mutual friends shown");
  });
  blocked.forEach((id, i) => node(bp[i], id, "blocked", "Blocked " + id));
  node([c, c], user, "me", user);
  box.appendChild(svg);
  $("graphNote").textContent = (n.friend_total > friends.length ? "The first " + friends.length + " of " + n.friend_total + " friends are shown. " : "") +
    (friends.length || blocked.length ? "" : user + " has no friends and blocks no one yet.");
}

async function pairHistory(a, b) {
  const h = await api("history/pairs/history", { user_a: a, user_b: b });
  $("lookupError").hidden = true;
  const ol = $("timeline"); ol.textContent = "";
  $("pairTitle").textContent = "History of " + a + " and " + b;
  for (const ch of h.events) {
    const li = el("li", null, ch.event.type);
    li.append(el("span", describe(ch.event)), el("span", meta(ch.seq, ch.event), "meta"));
    li.dataset.seq = ch.seq;
    ol.appendChild(li);
  }
  $("timelineEmpty").hidden = h.events.length > 0;
  if (!h.events.length) $("timelineEmpty").textContent = "Nothing has happened between " + a + " and " + b + ".";
  $("pairCard").scrollIntoView({ block: "start" });
  $("pairTitle").focus({ preventScroll: true });
}

async function asOf(params) {
  if (!state.user) return;
  const r = await api("history/friends", Object.assign({ user: state.user }, params));
  $("asOfAt").textContent = r.as_of_seq;
  $("asOfCount").textContent = r.friends.length;
  fill($("asOf").tBodies[0], r.friends, (tr, fr) => { cell(tr, fr.user_id); cell(tr, fr.alias); cell(tr, when(fr.create_time)); });
}

// ---- users ----

async function findUsers(prefix, after) {
  const r = await api("users", { prefix, after, limit: state.limit });
  state.usersPrefix = prefix; state.usersAfter = r.next;
  $("usersSummary").textContent = r.matched + (r.matched === 1 ? " user" : " users") + (prefix ? " whose ID starts with “" + prefix + "”" : " in " + state.app);
  fill($("userList").tBodies[0], r.users, (tr, u) => {
    cell(tr, "").appendChild(userLink(u.user_id)); cell(tr, u.name || "—"); cell(tr, u.friend_total);
  }, "usersEmpty", prefix ? "No user ID starts with “" + prefix + "”. Users appear once registered (ZIM UserRegister, Tencent account_import) or on their first friend." :
    "No users yet. Register some through ZIM's UserRegister or Tencent's account_import; make run prints a call to paste.");
  $("usersNext").disabled = !r.next;
  $("usersFirst").disabled = !after;
}

// ---- overview ----

function chart(box, series, minutes, label) {
  // Drawn at the box's own width, so that its text stays the page's size.
  const w = Math.max(280, Math.round(box.clientWidth || 600)), h = 170, left = 34, bottom = 20, top = 8;
  box.textContent = "";
  let peak = 1;
  for (const s of series) for (const v of s.values) peak = Math.max(peak, v);
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 " + w + " " + h);
  svg.setAttribute("role", "img");
  const title = document.createElementNS(SVG, "title");
  title.textContent = label + ": " + series.map((s) => s.name + " " + s.values.reduce((a, b) => a + b, 0)).join(", ") + " in the last hour; the most in a minute " + peak;
  svg.appendChild(title);
  const x = (i) => left + (i * (w - left - 4)) / Math.max(minutes.length - 1, 1);
  const y = (v) => h - bottom - (v * (h - bottom - top)) / peak;
  const axis = (x1, y1, x2, y2) => {
    const l = document.createElementNS(SVG, "line");
    l.setAttribute("x1", x1); l.setAttribute("y1", y1); l.setAttribute("x2", x2); l.setAttribute("y2", y2); l.setAttribute("class", "axis");
    svg.appendChild(l);
  };
  axis(left, y(0), w - 4, y(0)); axis(left, y(peak), w - 4, y(peak));
  const text = (tx, ty, s, anchor) => {
    const t = document.createElementNS(SVG, "text");
    t.setAttribute("x", tx); t.setAttribute("y", ty); t.setAttribute("text-anchor", anchor || "start"); t.textContent = s;
    svg.appendChild(t);
  };
  text(left - 4, y(peak) + 4, peak, "end"); text(left - 4, y(0) + 4, "0", "end");
  text(left, h - 4, "60 min ago"); text(w - 4, h - 4, "now", "end");
  for (const s of series) {
    const p = document.createElementNS(SVG, "path");
    p.setAttribute("d", s.values.map((v, i) => (i ? "L" : "M") + x(i).toFixed(1) + " " + y(v).toFixed(1)).join(""));
    p.setAttribute("class", s.cls);
    svg.appendChild(p);
  }
  box.appendChild(svg);
}

async function refreshOverview() {
  state.overview = await api("overview", {});
  drawOverview();
}

function drawOverview() {
  const o = state.overview;
  if (!o) return;
  const kinds = [["added", "friends added"], ["deleted", "friends deleted"], ["requests", "requests sent"], ["blocks", "blocks"]];
  const series = kinds.map(([k, name]) => ({ name, cls: k, values: o.series[k] }));
  chart($("activityChart"), series, o.minutes, "Changes per minute");
  const legend = $("activityLegend"); legend.textContent = "";
  let any = 0;
  for (const s of series) {
    const total = s.values.reduce((a, b) => a + b, 0); any += total;
    const li = el("li", null, s.cls); li.appendChild(el("span", s.name + ": " + total)); legend.appendChild(li);
  }
  $("activityEmpty").hidden = any > 0;
  chart($("commitChart"), [{ name: "commits", cls: "commits", values: o.series.commits }], o.minutes, "Commits per minute");
  chart($("pendingChart"), [{ name: "commits waiting", cls: "pending", values: o.notifier_pending }], o.minutes, "Commits waiting for the notifier");
  const ul = $("recent"); ul.textContent = "";
  for (const ch of o.recent) {
    const li = el("li"); li.append(userLink(ch.user_id), el("span", " · " + ch.type + " · " + when(ch.time), "muted"));
    ul.appendChild(li);
  }
  $("recentEmpty").hidden = o.recent.length > 0;
}

async function refreshStatus() {
  try {
    const s = await api("status", {});
    const fig = $("figures"); fig.textContent = "";
    const rows = [["status", s.status], ["NATS", s.nats_server || (s.nats_connected ? "connected" : "disconnected")],
      ["stream sequence", s.stream_seq], ["model sequence", s.model_seq], ["in-order read", s.followed_seq],
      ["catch-up remaining", s.lag], ["users", s.users], ["directed edges", s.edges], ["blocks", s.blocks],
      ["history index", s.history_index_bytes + " B"], ["notifier pending", s.notifier_pending + " commits"],
      ["dead letters", s.dead_letters], ["skipped messages", s.skipped_messages]];
    for (const [k, v] of rows) { const dd = el("dd", v); dd.dataset.figure = k; fig.append(el("dt", k), dd); }
    if (s.status !== "ready") $("status").textContent = s.status;
    const slider = $("asOfSeq");
    const atEnd = Number(slider.value) === Number(slider.max);
    slider.max = s.followed_seq;
    if (atEnd) slider.value = s.followed_seq;
  } catch (e) { showError(e, "banner"); }
}

async function refreshDead() {
  const { deadletters } = await api("deadletters", {});
  $("deadCount").textContent = deadletters.length ? deadletters.length + " parked" : "None parked: every callback was delivered.";
  const ul = $("dead"); ul.textContent = "";
  for (const d of deadletters.slice(0, 50)) ul.appendChild(el("li", d.command + " " + d.event_id + ": " + (d.last_error || "")));
  $("replay").disabled = deadletters.length === 0;
}

function startFeed() {
  if (state.feed) state.feed.close();
  $("feed").textContent = ""; $("feedEmpty").hidden = false;
  state.feed = new EventSource("/console/api/feed?" + new URLSearchParams({ app: state.app }));
  state.feed.onopen = () => setOnline(true);
  state.feed.onerror = () => { if (state.feed.readyState !== EventSource.OPEN) setOnline(false, "the live feed closed"); };
  state.feed.onmessage = (m) => {
    const c = JSON.parse(m.data);
    const li = el("li", null, "change " + c.event.type);
    li.append(el("span", describe(c.event)), el("span", meta(c.seq, c.event), "meta muted"));
    li.title = JSON.stringify(c.event.data);
    $("feed").prepend(li); $("feedEmpty").hidden = true;
    while ($("feed").childElementCount > 200) $("feed").lastElementChild.remove();
  };
}

// ---- wiring ----

$("lookup").addEventListener("submit", (e) => {
  e.preventDefault();
  const id = $("user").value.trim();
  const h = "#" + new URLSearchParams({ view: "user", user: id });
  if (location.hash !== h) { location.hash = h; return; }
  show("user");
  lookup(id, 0).catch((err) => showError(err));
});
$("search").addEventListener("submit", (e) => { e.preventDefault(); findUsers($("prefix").value.trim(), "").catch((err) => showError(err, "usersSummary")); });
$("usersNext").addEventListener("click", () => findUsers(state.usersPrefix, state.usersAfter).catch((err) => showError(err, "usersSummary")));
$("usersFirst").addEventListener("click", () => findUsers(state.usersPrefix, "").catch((err) => showError(err, "usersSummary")));
$("prev").addEventListener("click", () => lookup(state.user, Math.max(0, state.offset - state.limit)).catch((e) => showError(e)));
$("next").addEventListener("click", () => lookup(state.user, state.offset + state.limit).catch((e) => showError(e)));
$("pairForm").addEventListener("submit", (e) => { e.preventDefault(); pairHistory(state.user, $("pairOther").value.trim()).catch((err) => showError(err)); });
$("asOfSeq").addEventListener("input", () => asOf({ as_of_seq: $("asOfSeq").value }).catch((e) => showError(e)));
$("asOfTime").addEventListener("change", () => {
  const t = $("asOfTime").value; if (!t) return;
  asOf({ as_of_time: new Date(t).toISOString() }).catch((e) => showError(e));
});
$("replay").addEventListener("click", async () => {
  try {
    const r = await api("deadletters", {}, "POST");
    $("replayResult").textContent = "Delivered " + r.delivered + ", still parked " + r.parked + ".";
    await refreshDead();
  } catch (e) { showError(e, "replayResult"); }
});
window.addEventListener("hashchange", () => { route().catch((e) => showError(e)); });
window.addEventListener("resize", () => { if (state.view === "overview") drawOverview(); });
window.addEventListener("unhandledrejection", (e) => { showError(e.reason, "banner"); e.preventDefault(); });

(async () => {
  try {
    await loadApps();
    startFeed();
    await refreshStatus();
    await refreshDead();
    await route();
  } catch (e) { showError(e, "banner"); }
  setInterval(refreshStatus, 2000);
  setInterval(() => { if (state.view === "overview" && state.online) refreshOverview().catch(() => {}); }, 10000);
})();
