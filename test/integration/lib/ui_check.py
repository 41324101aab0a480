"""ui_check.py URL TOKEN EXPECT.json [SCREENSHOT.png] - loads the status page at URL in
headless Chromium, logs in with TOKEN through the page's prompt and checks what an operator
sees against EXPECT (written by ui_status_page.sh from the API's own answers):
  {"zone": "ui.example.", "status": "rotating_zsk",
   "zsk": {"12345": "active", "23456": "published"}, "ksk": {...},
   "next_at": "2026-...Z", "next_step": "zsk-activate", "ds": ["ui.example. IN DS ..."],
   "hidden": ["other.example."]}
Prints one "ok"/"FAIL" line per check; exits 1 when any failed."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webdriver import Browser, WebDriverError  # noqa: E402

url, token, expect_file = sys.argv[1:4]
shot = sys.argv[4] if len(sys.argv) > 4 else None
want = json.load(open(expect_file))
fails = 0


def check(what, cond, detail=""):
    global fails
    if cond:
        print("ok   " + what)
    else:
        fails += 1
        print("FAIL: " + what + (": " + detail if detail else ""))


try:
    with Browser(os.path.dirname(os.path.abspath(expect_file))) as b:
        b.get(url)
        b.wait_for("#login:not([hidden]) #token", 20)
        check("the page asks for a token first", b.find_all(".zone") == [])
        b.find("#token").send_keys(token)
        b.find("#login-button").click()
        b.wait_for("body[data-loaded]", 30)
        stored = b.script("return sessionStorage.getItem('scaidns-token')")
        check("the token is kept in the tab's session storage", stored == token)
        local = b.script("return localStorage.length")
        check("nothing is kept in local storage", local == 0, str(local))

        zones = [z.attr("data-zone") for z in b.find_all("article.zone")]
        check("the zone %s is listed" % want["zone"], want["zone"] in zones, str(zones))
        for h in want.get("hidden", []):
            check("the token's scope hides %s" % h, h not in zones, str(zones))
        card = b.find('article.zone[data-zone="%s"]' % want["zone"])
        check("status shown: %s" % want["status"], card.attr("data-status") == want["status"]
              and want["status"] in card.find_all("h2 .status")[0].text)

        for typ in ("ZSK", "KSK"):
            rows = card.find_all('svg g.key[data-key-type="%s"]' % typ)
            got = {r.attr("data-key-tag"): r.attr("data-state") for r in rows}
            check("timeline: the %s rows and their states %s" % (typ, want[typ.lower()]),
                  got == want[typ.lower()], str(got))
            labels = {r.attr("data-key-tag"): r.find_all("text")[0].text for r in rows}
            for tag, state in want[typ.lower()].items():
                shown = {"active": "signing"}.get(state, state)
                lbl = labels.get(tag, "")
                check("timeline label of %s %s says %s" % (typ, tag, shown),
                      lbl == "%s %s · %s" % (typ, tag, shown), lbl)
                segs = {s.attr("class").split()[1] for s in
                        card.find_all('svg g.key[data-key-tag="%s"] rect.seg' % tag)}
                check("timeline bar of %s %s is drawn in its state %s" % (typ, tag, state),
                      state in segs, str(segs))
        if want.get("new_zsk"):
            future = card.find_all('svg g.key[data-key-tag="%s"] rect.seg.active.future' % want["new_zsk"])
            check("timeline: the new ZSK's signing period is drawn as still to come", len(future) == 1)
        if want.get("old_zsk"):
            future = card.find_all('svg g.key[data-key-tag="%s"] rect.seg.retired.future' % want["old_zsk"])
            check("timeline: the old ZSK's retirement is drawn as still to come", len(future) == 1)
            past = card.find_all('svg g.key[data-key-tag="%s"] rect.seg.active:not(.future)' % want["old_zsk"])
            check("timeline: the old ZSK's signing so far is drawn as past", len(past) == 1)

        nxt = card.find_all(".next-step")
        check("the next step's time is shown: %s %s" % (want["next_step"], want["next_at"]),
              len(nxt) == 1 and nxt[0].attr("data-at") == want["next_at"] and want["next_at"] in nxt[0].text
              and want["next_step"] in nxt[0].text, nxt[0].text if nxt else "no .next-step")
        planned = [p.attr("data-step") for p in card.find_all("svg g.planned")]
        check("the planned steps are on the timeline", want["next_step"] in planned, str(planned))
        check("'now' is marked", len(card.find_all("svg g.now line")) == 1
              and card.find_all("svg g.now text")[0].text == "now")
        ev = [e.attr("data-action") for e in card.find_all("svg g.event")]
        check("past events from the audit trail are on the timeline",
              "dnssec-enable" in ev or any("enable" in (a or "") for a in ev), str(ev))
        check("the DS at the parent is on the timeline", len(card.find_all("svg g.ds-row rect.seg.ds")) >= 1)
        ds = [p.text for p in card.find_all(".publish .ds pre")]
        check("the DS to publish is shown", sorted(ds) == sorted(want["ds"]), str(ds))
        cds = [p.text for p in card.find_all(".publish .cds pre")]
        check("the CDS is shown", len(cds) == len(want["ds"]) and all(" CDS " in c for c in cds), str(cds))
        check("each DS/CDS has a copy button", len(card.find_all(".publish button.copy")) == 2 * len(want["ds"]))
        held = card.find_all("dd.held")
        check("no held reason shown for a zone that is not held", held == [])
        if want.get("held"):
            h = want["held"]
            cards = b.find_all('article.zone[data-zone="%s"]' % h["zone"])
            reason = cards[0].find_all("dd.held") if cards else []
            check("the held zone %s says why: %s" % (h["zone"], h["text"]),
                  len(reason) == 1 and h["text"] in reason[0].text and h["server"] in reason[0].text,
                  reason[0].text if reason else "no dd.held")

        # The console must be free of errors: a CSP violation or a failed request shows here.
        errors = [m for m in b.console() if m.get("level") == "SEVERE"]
        check("no error in the browser's console", errors == [], json.dumps(errors)[:600])
        if shot:
            b.script("window.scrollTo(0, 0)")
            b.screenshot(shot)
            check("screenshot saved to " + shot, os.path.getsize(shot) > 10000)

        # Forgetting the token returns to the prompt and clears the storage.
        b.find("#logout").click()
        b.wait_for("#login:not([hidden])", 10)
        check("'Forget token' clears it", b.script("return sessionStorage.getItem('scaidns-token')") is None
              and b.find_all("article.zone") == [])
except WebDriverError as e:
    fails += 1
    print("FAIL: browser: %s" % e)

print("%d failed" % fails)
sys.exit(1 if fails else 0)
