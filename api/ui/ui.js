// scaidns status page: read-only. Asks the API's JSON routes (relative URLs, so the page
// works behind a path prefix and on the API's Unix socket) with the token typed into the
// prompt, kept in this tab's sessionStorage and sent as "Authorization: Bearer". No
// framework, no inline code (the page's Content-Security-Policy forbids it).
"use strict";

(function () {
  const TOKEN_KEY = "scaidns-token";
  const API = "../api/v1/";
  const SVGNS = "http://www.w3.org/2000/svg";
  const STATE_LABEL = { published: "published", active: "signing", retired: "retired", removed: "removed" };
  const $ = (id) => document.getElementById(id);
  let refreshTimer = null;

  // el(tag, attrs, ...children): an HTML element; text children become text nodes.
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== undefined && v !== null) e.setAttribute(k, v);
    }
    for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(String(k)));
    return e;
  }
  // svg(tag, attrs, ...children): the same for SVG elements.
  function svg(tag, attrs, ...kids) {
    const e = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== undefined && v !== null) e.setAttribute(k, String(v));
    }
    for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(String(k)));
    return e;
  }

  function iso(t) {
    return new Date(t * 1000).toISOString().replace(".000Z", "Z");
  }
  function parseTime(s) {
    if (!s) return null;
    const t = Date.parse(s);
    return Number.isNaN(t) ? null : t / 1000;
  }
  // "in 2 h 5 min" / "3 min ago"
  function relative(t, now) {
    let d = Math.round(t - now);
    const past = d < 0;
    d = Math.abs(d);
    let s;
    if (d < 60) s = d + " s";
    else if (d < 3600) s = Math.floor(d / 60) + " min";
    else if (d < 86400) s = Math.floor(d / 3600) + " h " + Math.floor((d % 3600) / 60) + " min";
    else s = Math.floor(d / 86400) + " d " + Math.floor((d % 86400) / 3600) + " h";
    return past ? s + " ago" : "in " + s;
  }

  function showError(msg) {
    const e = $("error");
    e.textContent = msg;
    e.hidden = !msg;
  }

  // GET path (relative to the API) with the token; resolves to the parsed JSON, rejects with
  // an Error carrying the API's message and status.
  async function get(path) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const r = await fetch(API + path, {
      headers: { Authorization: "Bearer " + token, Accept: "application/json" },
      cache: "no-store",
      credentials: "omit",
    });
    let body = null;
    try {
      body = await r.json();
    } catch (e) {
      body = null;
    }
    if (!r.ok) {
      const err = new Error((body && body.error) || "HTTP " + r.status);
      err.status = r.status;
      throw err;
    }
    return body;
  }

  async function allZones() {
    let zones = [];
    let after = null;
    for (let i = 0; i < 100; i++) {
      const page = await get("domains?limit=1000" + (after ? "&after=" + encodeURIComponent(after) : ""));
      zones = zones.concat(page.domains || []);
      after = page.next_after;
      if (!after) break;
    }
    return zones;
  }

  // Why the zone's steps are held: the newest row of each check, when it says waiting or
  // settling. Events come newest first.
  function heldReasons(events) {
    const seen = {};
    const out = [];
    for (const ev of events) {
      if (ev.action !== "served-check" && ev.action !== "parent-ds-wait" && ev.action !== "parent-ds-seen") continue;
      const check = ev.action === "served-check" ? "served-check" : "parent";
      if (seen[check]) continue;
      seen[check] = true;
      if (ev.outcome === "waiting" || ev.outcome === "settling") {
        let why = ev.action + " " + ev.outcome;
        const d = ev.detail;
        if (d && typeof d === "object" && d.servers && Array.isArray(d.servers)) {
          const bad = d.servers.filter((s) => s && s.agrees === false)
            .map((s) => (s.server || "?") + (s.error ? ": " + s.error : ""));
          if (bad.length) why += " (disagree: " + bad.join(", ") + ")";
        } else if (d && typeof d === "object" && d.reason) {
          why += " (" + d.reason + ")";
        }
        out.push(why + " since " + ev.at);
      }
    }
    return out;
  }

  // The boundaries of each key's states: published, signing, retired, removed (Unix
  // seconds; null when unknown). Times still to come are taken from the plan.
  function keySpans(state, plan) {
    const keys = [].concat(state.ksk || [], state.zsk || []);
    const steps = plan.steps || [];
    const stepFor = (tag, type, names) =>
      steps.find((s) => s.key_tag === tag && s.key_type === type && names.includes(s.step));
    return keys.map((k) => {
      const type = k.key_type;
      const lc = type.toLowerCase();
      const pub = parseTime(k.publish_at) || parseTime(k.created_at);
      let act = parseTime(k.activate_at);
      let ret = parseTime(k.retire_at);
      let rem = parseTime(k.remove_at);
      let actPlanned = false, retPlanned = false, remPlanned = false;
      if (act === null && k.state === "active") act = pub;
      if (act === null) {
        const s = stepFor(k.key_tag, type, [lc + "-activate"]);
        if (s) { act = s.at_unix; actPlanned = true; }
      }
      if (ret === null && k.state === "active") {
        // the successor's activation retires this key
        const s = steps.find((x) => x.key_type === type && x.key_tag !== k.key_tag && x.step === lc + "-activate");
        if (s) { ret = s.at_unix; retPlanned = true; }
      }
      if (rem === null) {
        const s = stepFor(k.key_tag, type, [lc + "-remove", "key-unpublish"]);
        if (s) { rem = s.at_unix; remPlanned = true; }
      }
      return { key: k, type, pub, act, ret, rem, actPlanned, retPlanned, remPlanned,
        ds: parseTime(k.ds_seen_at), dsSubmitted: parseTime(k.ds_submitted_at) };
    });
  }

  const TICKS = [60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400, 30 * 86400, 91 * 86400];

  // The zone's timeline as an SVG element: a row per key, the DS at the parent, past events
  // and planned steps, with "now" marked.
  function timeline(zone, state, plan, events, now) {
    const spans = keySpans(state, plan);
    const steps = plan.steps || [];
    // The window: from the oldest event or key time (at most 30 days back) to the last
    // planned step of the rollover under way (the next lifetime rollover, *-roll, can be
    // months away: it is drawn at the right edge with its date, not to scale).
    const near = steps.filter((s) => !/-roll$/.test(s.step));
    const past = [now];
    for (const s of spans) for (const t of [s.pub, s.act, s.ret, s.rem, s.ds]) if (t && t <= now) past.push(t);
    for (const e of events) { const t = parseTime(e.at); if (t) past.push(t); }
    const future = [now];
    for (const s of spans) for (const t of [s.act, s.ret, s.rem]) if (t && t > now) future.push(t);
    for (const s of near) future.push(s.at_unix);
    let t1 = Math.max(...future);
    if (t1 - now < 3600) t1 = now + 3600;
    let t0 = Math.max(Math.min(...past), now - 30 * 86400);
    const pad = Math.max(60, (t1 - t0) * 0.04);
    t0 -= pad; t1 += pad;
    // far future steps are kept outside the drawn window
    const farSteps = steps.filter((s) => s.at_unix > t1);

    const W = 1100, LABEL = 190, ROW = 24, TOP = 26;
    const rows = spans.length + 4; // keys, DS, events, plan (two lines)
    const H = TOP + rows * ROW + 8;
    const RIGHT = 175; // room for the far steps' labels
    const x = (t) => LABEL + ((Math.min(Math.max(t, t0), t1) - t0) / (t1 - t0)) * (W - LABEL - RIGHT);
    const root = svg("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "img",
      "aria-label": "timeline of " + zone.name, class: "tl", "data-zone": zone.name });

    // time axis
    const axis = svg("g", { class: "axis" });
    const span = t1 - t0;
    const step = TICKS.find((s) => span / s <= 8) || TICKS[TICKS.length - 1];
    for (let t = Math.ceil(t0 / step) * step; t <= t1 - step / 4; t += step) {
      const d = new Date(t * 1000).toISOString();
      const lbl = step >= 86400 ? d.slice(5, 10) : d.slice(5, 10) + " " + d.slice(11, 16);
      axis.append(svg("line", { x1: x(t), x2: x(t), y1: 16, y2: H - 4 }),
        svg("text", { x: x(t) + 2, y: 12 }, lbl));
    }
    root.append(axis);

    // segment(g, from, to, cls, y): a bar from..to, split at now into past and future.
    function segment(g, from, to, cls, y, title) {
      if (from === null) return;
      const end = to === null ? t1 : to;
      const parts = [];
      if (from < now && end > now) parts.push([from, now, ""], [now, end, " future"]);
      else parts.push([from, end, end > now ? " future" : ""]);
      for (const [a, b, f] of parts) {
        if (b <= a) continue;
        const r = svg("rect", { class: "seg " + cls + f, x: x(a), y: y + 5, width: Math.max(1, x(b) - x(a)),
          height: ROW - 10, rx: 2, "data-from": iso(a), "data-to": to === null ? "" : iso(b) });
        r.append(svg("title", {}, title + ": " + iso(a) + (to === null && b === end ? " onwards" : " to " + iso(b))));
        g.append(r);
      }
    }

    let y = TOP;
    for (const s of spans) {
      const k = s.key;
      const g = svg("g", { class: "key", "data-key-tag": k.key_tag, "data-key-type": s.type, "data-state": k.state });
      g.append(svg("text", { x: 4, y: y + ROW / 2 + 4, class: "label" },
        `${s.type} ${k.key_tag} · ${STATE_LABEL[k.state] || k.state}`));
      segment(g, s.pub, s.act !== null ? s.act : s.ret !== null ? s.ret : s.rem, "published", y, "published");
      if (s.act !== null) segment(g, s.act, s.ret !== null ? s.ret : s.rem, "active", y, "signing");
      if (s.ret !== null) segment(g, s.ret, s.rem, "retired", y, "retired");
      if (s.rem !== null) segment(g, s.rem, Math.min(t1, s.rem + (t1 - t0) * 0.01), "removed", y, "removed");
      root.append(g);
      y += ROW;
    }

    // DS at the parent: from its confirmation (or submission) to the KSK's removal
    const dsg = svg("g", { class: "ds-row" });
    dsg.append(svg("text", { x: 4, y: y + ROW / 2 + 4, class: "label" }, "DS at the parent"));
    for (const s of spans) {
      if (s.type !== "KSK") continue;
      const from = s.ds !== null ? s.ds : null;
      if (from !== null) segment(dsg, from, s.rem, "ds", y, "DS " + s.key.key_tag);
    }
    root.append(dsg);
    y += ROW;

    const evg = svg("g", { class: "events" });
    evg.append(svg("text", { x: 4, y: y + ROW / 2 + 4, class: "label" }, "events (audit trail)"));
    for (const e of events) {
      const t = parseTime(e.at);
      if (t === null) continue;
      const c = svg("g", { class: "event " + e.outcome, "data-action": e.action });
      c.append(svg("circle", { cx: x(t), cy: y + ROW / 2, r: 4 }),
        svg("title", {}, `${e.at} ${e.action} ${e.outcome} (${e.actor})`));
      evg.append(c);
    }
    root.append(evg);
    y += ROW;

    const pg = svg("g", { class: "plan" });
    pg.append(svg("text", { x: 4, y: y + ROW / 2 + 4, class: "label" }, "planned steps"));
    steps.filter((s) => s.at_unix <= t1).forEach((s, i) => {
      const cx = x(s.at_unix), cy = y + ROW / 2;
      const d = svg("g", { class: "planned", "data-step": s.step, "data-key-tag": s.key_tag, "data-at": s.at });
      d.append(svg("path", { d: `M${cx} ${cy - 6} L${cx + 6} ${cy} L${cx} ${cy + 6} L${cx - 6} ${cy} Z` }),
        svg("text", { x: cx + 8, y: cy + 4 + (i % 2) * 14 }, `${s.step} ${s.key_type} ${s.key_tag} ${iso(s.at_unix).slice(11, 16)}`),
        svg("title", {}, `${s.at} ${s.step} ${s.key_type} ${s.key_tag}: ${s.terms}`));
      pg.append(d);
    });
    farSteps.forEach((s, i) => {
      const cx = W - RIGHT + 12, cy = y + ROW / 2 + i * 14;
      const d = svg("g", { class: "planned far", "data-step": s.step, "data-key-tag": s.key_tag, "data-at": s.at });
      d.append(svg("path", { d: `M${cx - 6} ${cy - 5} L${cx} ${cy} L${cx - 6} ${cy + 5} Z` }),
        svg("text", { x: cx + 4, y: cy + 4 }, `${s.step} ${s.key_tag} ${s.at.slice(0, 10)}`),
        svg("title", {}, `${s.at} ${s.step} ${s.key_type} ${s.key_tag}: ${s.terms}`));
      pg.append(d);
    });
    root.append(pg);

    const ng = svg("g", { class: "now" });
    ng.append(svg("line", { x1: x(now), x2: x(now), y1: 16, y2: H - 4 }),
      svg("text", { x: x(now) + 3, y: H - 6 }, "now"));
    root.append(ng);
    return root;
  }

  // Copies text to the clipboard; says so next to the button.
  async function copy(text, btn) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (e) {
      const ta = el("textarea", {}, text);
      document.body.append(ta);
      ta.select();
      document.execCommand("copy");
      ta.remove();
    }
    const note = el("span", { class: "copied" }, "copied");
    btn.after(note);
    setTimeout(() => note.remove(), 1500);
  }

  function copyRow(text, cls) {
    const btn = el("button", { type: "button", class: "copy" }, "Copy");
    btn.addEventListener("click", () => copy(text, btn));
    return el("div", { class: "row " + cls }, el("pre", {}, text), btn);
  }

  function zoneCard(zone, state, plan, events, now) {
    const card = el("article", { class: "zone", id: "zone-" + zone.id, "data-zone": zone.name, "data-status": state.status });
    card.append(el("h2", {}, zone.name, el("span", { class: "status " + state.status }, state.status)));
    const facts = el("dl", { class: "facts" });
    const steps = (plan.steps || []).slice().sort((a, b) => a.at_unix - b.at_unix);
    const next = steps[0];
    facts.append(el("dt", {}, "next step"));
    if (next) {
      facts.append(el("dd", { class: "next-step", "data-at": next.at, "data-step": next.step, "data-key-tag": next.key_tag },
        `${next.step} of ${next.key_type} ${next.key_tag} at ${next.at} (${relative(next.at_unix, now)})`,
        el("br"), el("span", { class: "mono" }, next.terms)));
    } else {
      facts.append(el("dd", { class: "next-step" }, state.status === "pending_ds" ? "waiting for the DS to be confirmed at the parent" : "none planned"));
    }
    const held = heldReasons(events);
    facts.append(el("dt", {}, "held"));
    facts.append(el("dd", { class: held.length ? "held" : "" }, held.length ? held.join("; ") : "no"));
    card.append(facts);
    if (!state.enabled) {
      card.append(el("p", { class: "empty" }, "DNSSEC is not enabled on this zone."));
      return card;
    }
    card.append(el("div", { class: "legend" },
      el("span", { class: "published" }, "published"), el("span", { class: "active" }, "signing"),
      el("span", { class: "retired" }, "retired"), el("span", { class: "removed" }, "removed"),
      el("span", { class: "ds" }, "DS at the parent"), el("span", { class: "now" }, "now"),
      "pale: still to come; ● event, ◆ planned step"));
    card.append(el("div", { class: "timeline" }, timeline(zone, state, plan, events, now)));
    const ds = state.ds_records || [];
    if (ds.length) {
      const pub = el("div", { class: "publish" });
      pub.append(el("h3", {}, "DS to publish at the parent"));
      for (const d of ds) pub.append(copyRow(d.ds, "ds"));
      pub.append(el("h3", {}, "The same as CDS (for registries that scan for them; the zone serves CDS and CDNSKEY once its KSK's DNSKEY has reached every resolver)"));
      for (const d of ds) pub.append(copyRow(d.ds.replace(/\sIN\s+DS\s/, " IN CDS ").replace(/\sDS\s/, " CDS "), "cds"));
      card.append(pub);
    }
    return card;
  }

  async function load() {
    showError("");
    const box = $("zones");
    let zones;
    try {
      zones = await allZones();
    } catch (e) {
      if (e.status === 401) {
        sessionStorage.removeItem(TOKEN_KEY);
        showLogin("The API refused this token: " + e.message);
      } else {
        showError("Cannot list the zones: " + e.message);
      }
      return;
    }
    const now = Date.now() / 1000;
    const cards = [];
    for (const z of zones) {
      try {
        const [state, plan, ev] = await Promise.all([
          get("domains/" + encodeURIComponent(z.id) + "/dnssec"),
          get("domains/" + encodeURIComponent(z.id) + "/dnssec/plan"),
          get("domains/" + encodeURIComponent(z.id) + "/dnssec/events?limit=100"),
        ]);
        cards.push(zoneCard(z, state, plan, ev.events || [], now));
      } catch (e) {
        cards.push(el("article", { class: "zone", "data-zone": z.name },
          el("h2", {}, z.name), el("p", { class: "error" }, "Cannot read this zone's DNSSEC state: " + e.message)));
      }
    }
    box.replaceChildren(...cards);
    if (!zones.length) box.append(el("p", { class: "empty" }, "This token sees no zones."));
    $("updated").textContent = "updated " + iso(Math.floor(now));
    document.body.setAttribute("data-loaded", iso(Math.floor(now)));
  }

  function showLogin(msg) {
    if (refreshTimer) clearInterval(refreshTimer);
    refreshTimer = null;
    $("zones").replaceChildren();
    $("session").hidden = true;
    $("login").hidden = false;
    showError(msg || "");
    $("token").focus();
  }

  function start() {
    $("login").hidden = true;
    $("session").hidden = false;
    load();
    if (refreshTimer) clearInterval(refreshTimer);
    refreshTimer = setInterval(() => { if (!document.hidden) load(); }, 30000);
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("login").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const t = $("token").value.trim();
      if (!t) return;
      sessionStorage.setItem(TOKEN_KEY, t);
      $("token").value = "";
      start();
    });
    $("refresh").addEventListener("click", load);
    $("logout").addEventListener("click", () => {
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin("");
    });
    if (sessionStorage.getItem(TOKEN_KEY)) start();
    else showLogin("");
  });
})();
