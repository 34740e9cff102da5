"""The issue's burst: many operators press 签收 at the same instant (bench/load.py runs it).

Every session logs in through the form first; each picks its own 待签收 case and reads its
page; then all POST 签收 behind one barrier. Counts answers by kind, connection errors and
resets, and the response times.
"""

import re
import statistics
import threading
import time

import requests

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CASE = re.compile(r'data-case="(\d+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')
ACCOUNTS = ("zuoxi", "zuoxi2", "zuzhang")


def _login(url: str, account: str, password: str) -> requests.Session:
    session = requests.Session()
    page = session.get(url + "/login/", timeout=60)
    token = CSRF.search(page.text).group(1)
    data = {"username": account, "password": password, "csrfmiddlewaretoken": token}
    session.post(url + "/login/", data=data, allow_redirects=False, timeout=60)
    return session


def burst(url: str, password: str, n: int = 50) -> dict:
    sessions = [_login(url, ACCOUNTS[i % len(ACCOUNTS)], password) for i in range(n)]
    ids = []
    for page in range(1, 4):
        listing = sessions[0].get(f"{url}/queues/received/?page={page}", timeout=60).text
        ids += [i for i in CASE.findall(listing) if i not in ids]
    if len(ids) < n:
        raise SystemExit(f"待签收只有 {len(ids)} 件,不够 {n} 人同时签收。")
    forms = []
    for session, case_id in zip(sessions, ids, strict=False):
        page = session.get(f"{url}/cases/{case_id}/", timeout=60).text
        forms.append(
            (case_id, {"csrfmiddlewaretoken": CSRF.search(page).group(1),
                       "version": VERSION.search(page).group(1)})
        )  # fmt: skip
    for session in sessions:  # each press opens a new connection, as 50 browsers at once do
        session.close()
    barrier = threading.Barrier(n)
    outcome = [None] * n

    def press(i: int) -> None:
        case_id, data = forms[i]
        barrier.wait()
        started = time.perf_counter()
        try:
            answer = sessions[i].post(
                f"{url}/cases/{case_id}/act/sign/", data=data, allow_redirects=False, timeout=120
            )
            outcome[i] = (answer.status_code, (time.perf_counter() - started) * 1000, "")
        except requests.RequestException as err:
            outcome[i] = (0, (time.perf_counter() - started) * 1000, repr(err)[:120])

    threads = [threading.Thread(target=press, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    times = sorted(t for _, t, _ in outcome)
    errors = [e for _, _, e in outcome if e]
    return {
        "n": n,
        "signed": sum(1 for s, _, _ in outcome if s == 302),
        "5xx": sum(1 for s, _, _ in outcome if s >= 500),
        "conn": len(errors),
        "reset": sum(1 for e in errors if "eset" in e or "RemoteDisconnected" in e),
        "other": sum(1 for s, _, _ in outcome if s and s != 302 and s < 500),
        "p50": statistics.median(times),
        "max": times[-1],
    }


def line(label: str, r: dict) -> str:
    return (
        f"| {label} | {r['n']} | {r['signed']} | {r['other']} | {r['5xx']} | "
        f"{r['conn']} ({r['reset']}) | {r['p50']:.0f} | {r['max']:.0f} |"
    )


HEADER = (
    "| 服务器 | 同时签收 | 成功 | 其他 4xx | 5xx | 连接错误 (重置) | p50 ms | 最慢 ms |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|"
)
