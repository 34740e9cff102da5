"""The operators of bench/load.py: locust users working their queues in the browser's way.

    python bench/load_operators.py --host http://127.0.0.1:8000 --password PW \
        --users 50 --spawn-rate 10 --run-time 300 --out result.json

Each user logs in through the login page (CSRF and all), then loops with 1–3 s of thought
between steps: a queue list (待签收, or 待派单 every other round), a case page, 签收, 派单 to
a unit of the case's street, a 备注; after each action it opens the case page the redirect
names, as the browser does; every 20 s it polls the navigation's queue counts. A 409 (someone
else acted first) is a business answer, counted apart. Writes per request type: count,
answers by kind, connection errors and resets, and the response times in milliseconds.
"""

import argparse
import itertools
import json
import random
import re
import time

import gevent
from load import ACTIONS  # bench/ is this script's folder
from locust import HttpUser, between, events, task
from locust.env import Environment

ACCOUNTS = ("zuoxi", "zuoxi2", "zuzhang")
POLL_SECONDS = 20
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CASE = re.compile(r'data-case="(\d+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')
UNIT = re.compile(r'name="dispatch-lead_unit" value="(\d+)"')
NOTES = ("已电话联系诉求人,正在跟进。", "已转相关科室核实。", "诉求人表示理解,等待处理结果。")


_accounts = itertools.cycle(ACCOUNTS)
results: dict[str, dict] = {}


def _entry(name: str) -> dict:
    return results.setdefault(
        name,
        {"count": 0, "ok": 0, "conflict": 0, "4xx": 0, "5xx": 0, "conn": 0, "reset": 0,
         "times": [], "errors": {}},
    )  # fmt: skip


@events.request.add_listener
def _record(name, response_time, response, exception, **_):
    entry = _entry(name)
    entry["count"] += 1
    entry["times"].append(response_time)
    status = getattr(response, "status_code", 0) or 0
    if status == 0:
        entry["conn"] += 1
        text = repr(exception)
        if any(word in text for word in ("reset", "Reset", "RemoteDisconnected", "aborted")):
            entry["reset"] += 1
        key = text[:120]
        entry["errors"][key] = entry["errors"].get(key, 0) + 1
    elif status >= 500:
        entry["5xx"] += 1
    elif name == "登录" and status != 302:  # the login page again: refused
        entry["4xx"] += 1
        entry["errors"]["登录被拒"] = entry["errors"].get("登录被拒", 0) + 1
    elif status == 409 and name in ACTIONS:
        entry["conflict"] += 1
    elif status >= 400:
        entry["4xx"] += 1
        key = f"{status} {response.url}"[:120]
        entry["errors"][key] = entry["errors"].get(key, 0) + 1
    else:
        entry["ok"] += 1


class Operator(HttpUser):
    wait_time = between(1, 3)
    password = ""

    def on_start(self):
        self.account = next(_accounts)
        self.round = 0
        self.polled = time.monotonic()
        page = self.client.get("/login/", name="登录页")
        token = CSRF.search(page.text or "")
        self.client.post(
            "/login/",
            data={
                "username": self.account,
                "password": self.password,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            name="登录",
            allow_redirects=False,
        )

    def think(self):
        gevent.sleep(random.uniform(1, 3))
        if time.monotonic() - self.polled >= POLL_SECONDS:
            self.polled = time.monotonic()
            self.client.get("/queues/counts/", name="队列计数", headers={"HX-Request": "true"})

    def open_case(self, case_id: str):
        return self.client.get(f"/cases/{case_id}/", name="工单页")

    def act(self, case_id: str, action: str, page, name: str, fields: dict):
        """POST the action's form from the case page just read; on success open the case
        page the redirect names. Returns the page the user now sees (after a 409, the
        refreshed case in the answer), or None."""
        token = CSRF.search(page.text or "")
        version = VERSION.search(page.text or "")
        if not token or not version:
            return None
        data = {"csrfmiddlewaretoken": token.group(1), "version": version.group(1), **fields}
        done = self.client.post(
            f"/cases/{case_id}/act/{action}/", data=data, name=name, allow_redirects=False
        )
        if done.status_code == 409:  # the answer shows the case as it now stands
            return done
        if done.status_code != 302:
            return None
        return self.open_case(case_id)

    @task
    def work_queue(self):
        self.round += 1
        queue, name = ("received", "待签收列表")
        if self.round % 2 == 0:
            queue, name = ("accepted", "待派单列表")
        listing = self.client.get(f"/queues/{queue}/", name=name)
        ids = CASE.findall(listing.text or "")
        if not ids:
            return
        case_id = random.choice(ids)
        self.think()
        page = self.open_case(case_id)
        if queue == "received":
            self.think()
            page = self.act(case_id, "sign", page, "签收", {}) or page
        units = UNIT.findall(page.text or "")
        if units:
            self.think()
            fields = {"dispatch-lead_unit": random.choice(units), "dispatch-note": "请核实处理。"}
            page = self.act(case_id, "dispatch", page, "派单", fields) or page
        self.think()
        self.act(case_id, "note", page, "备注", {"note-text": random.choice(NOTES)})


def summary() -> dict:
    out = {}
    for name, entry in results.items():
        times = sorted(entry.pop("times"))

        def pct(p, times=times):
            return times[min(len(times) - 1, int(p / 100 * len(times)))] if times else 0

        out[name] = {**entry, "p50": pct(50), "p95": pct(95), "p99": pct(99), "max": pct(100)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--run-time", type=float, default=300, help="seconds")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    Operator.host = args.host
    Operator.password = args.password
    env = Environment(user_classes=[Operator], events=events)
    runner = env.create_local_runner()
    started = time.monotonic()
    runner.start(args.users, spawn_rate=args.spawn_rate)
    gevent.spawn_later(args.run_time, runner.quit)
    runner.greenlet.join()
    seconds = time.monotonic() - started
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump({"seconds": seconds, "requests": summary()}, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
