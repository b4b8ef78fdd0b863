"""Outbound webhooks end to end (issue 18), with real processes: maestro-server delivering from a redis-server of the
test's own to a real HTTP receiver (webhook_receiver.py), every signature checked by an independent implementation
(the `standardwebhooks` package); a receiver failing first and answering later; `kill -9` of the delivering server
mid-delivery and a second server delivering everything it left; a slow and a dead endpoint not delaying a healthy
one (and the backlog in /metrics); redirects not followed; a server started with --no-webhook-delivery sending
nothing and leaving its deliveries to one that delivers; an answer whose body never ends cut off; private targets
refused by default, at creation and at delivery; the Slack format."""

from __future__ import annotations

import base64
import json
import re
import time
import urllib.request

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from blackbox_env import Api, DeliveringServer, RedisServer
from maestro_processes import free_port, wait_until
from webhook_receiver import WebhookReceiver

SUITE = "webhooks"


@pytest.fixture
def hooks_redis(work_dir, artifacts):
    """A redis-server of this test's own: webhooks are global, so no other suite's server may see them."""
    instance = RedisServer(work_dir, artifacts, name="webhooks-redis")
    yield instance
    instance.stop()


@pytest.fixture
def start_server(binaries, hooks_redis, work_dir, artifacts):
    """Starts delivering servers on the test's redis (stopped at the end, unless the test killed them)."""
    started = []

    def start(**options):
        instance = DeliveringServer(binaries, hooks_redis, work_dir, artifacts, **options).start()
        started.append(instance)
        return instance

    yield start
    for instance in started:
        instance.stop()


def create_webhook(api: Api, url: str, **fields) -> tuple[dict, str]:
    created = api.call("POST", "/api/webhooks", {"url": url, "events": ["*"], **fields}, expect=201)
    return created["webhook"], created["secret"]


def stream_ids(redis, project: str) -> list[str]:
    return redis.xrange_ids(f"mae:{{{project}}}:events")


def verified(secret: str, request) -> dict:
    """The body, once the `standardwebhooks` package accepts its signature."""
    return Webhook(secret).verify(request.body, request.headers)


def deliveries(api: Api, webhook_id: str) -> list[dict]:
    return api.call("GET", f"/api/webhooks/{webhook_id}/deliveries?limit=100")["deliveries"]


def metric(server, name: str, **labels) -> float:
    """One sample of /metrics (0 when absent)."""
    with urllib.request.urlopen(f"{server.base_url}/metrics", timeout=5) as response:
        text = response.read().decode()
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    pattern = re.escape(name) + (r"\{" + re.escape(wanted) + r"\}" if labels else "") + r" ([0-9.e+-]+)$"
    match = re.search(pattern, text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def test_signed_deliveries_verify_with_standardwebhooks(start_server, hooks_redis, figures):
    server = start_server()
    api = Api(server.base_url, "signed")
    with WebhookReceiver() as receiver:
        webhook, secret = create_webhook(api, receiver.url, projectId="signed")
        assert secret.startswith("whsec_") and len(base64.b64decode(secret[len("whsec_"):])) == 32
        assert "secret" not in api.call("GET", f"/api/webhooks/{webhook['id']}")
        task = api.create_task("Signed delivery")["id"]
        api.set_status(task, "inprogress")
        api.create_task("Second, with <html> & \"quotes\" ✓")
        ids = stream_ids(hooks_redis, "signed")
        assert len(ids) == 3
        wait_until(lambda: receiver.delivered_ids() >= set(ids), 15, "every event delivered")
        types = {entry[0].decode(): dict(zip(entry[1][0::2], entry[1][1::2]))[b"type"].decode()
                 for entry in hooks_redis.command("XRANGE", "mae:{signed}:events", "-", "+")}
        for request in receiver.received():
            body = verified(secret, request)
            figures.case(SUITE)
            assert set(body) == {"id", "type", "projectId", "payload"}
            assert body["id"] == request.webhook_id and body["type"] == types[body["id"]]
            assert body["projectId"] == "signed" and isinstance(body["payload"], dict)
            assert abs(int(request.headers["webhook-timestamp"]) - time.time()) < 60
            # Any change to the body, or another secret, fails verification.
            with pytest.raises(WebhookVerificationError):
                Webhook(secret).verify(request.body.replace(b"}", b" }", 1), request.headers)
            with pytest.raises(WebhookVerificationError):
                Webhook("whsec_" + base64.b64encode(b"x" * 32).decode()).verify(request.body, request.headers)
        listed = deliveries(api, webhook["id"])
        assert sorted(d["eventId"] for d in listed) == sorted(ids)
        assert all(d["state"] == "delivered" and d["attempts"] == 1 and d["lastStatus"] == 200 for d in listed)
        assert metric(server, "maestro_webhook_deliveries_total", outcome="delivered") == 3
        assert metric(server, "maestro_webhook_attempts_total", result="delivered") == 3
        wait_until(lambda: metric(server, "maestro_webhook_pending") == 0, 5, "an empty backlog")
        assert metric(server, "maestro_webhook_oldest_pending_seconds") == 0


def test_a_failing_receiver_is_retried_until_it_answers(start_server, hooks_redis, figures):
    server = start_server(retry_schedule="300ms,300ms,300ms,300ms")
    api = Api(server.base_url, "retries")
    with WebhookReceiver(answers=[500, 503]) as flaky, WebhookReceiver(answers=[500] * 5) as broken:
        flaky_hook, flaky_secret = create_webhook(api, flaky.url, projectId="retries")
        broken_hook, _ = create_webhook(api, broken.url, projectId="retries", events=["task:created"])
        api.create_task("Retried")
        [event_id] = stream_ids(hooks_redis, "retries")
        wait_until(lambda: flaky.delivered_ids() == {event_id}, 15, "the third attempt delivered")
        attempts = flaky.received()
        assert [request.status for request in attempts] == [500, 503, 200]
        assert all(verified(flaky_secret, request)["id"] == event_id for request in attempts)
        gaps = [later.at - earlier.at for earlier, later in zip(attempts, attempts[1:])]
        assert all(gap >= 0.2 for gap in gaps), f"retries came too soon: {gaps}"
        figures.note(SUITE, "retry_gaps_s", [round(gap, 2) for gap in gaps])
        [delivery] = deliveries(api, flaky_hook["id"])
        assert delivery["state"] == "delivered" and delivery["attempts"] == 3 and delivery["lastStatus"] == 200

        # Five attempts (four delays), then dead: nothing more is sent until a person retries it.
        wait_until(lambda: deliveries(api, broken_hook["id"])[0]["state"] == "dead", 15, "a dead delivery")
        [dead] = deliveries(api, broken_hook["id"])
        assert dead["attempts"] == 5 and dead["lastError"] == "HTTP 500" and dead["nextAttemptAt"] is None
        time.sleep(0.8)
        assert len(broken.received()) == 5
        assert metric(server, "maestro_webhook_deliveries_total", outcome="dead") == 1
        assert metric(server, "maestro_webhook_deliveries_total", outcome="retry") == 6
        retried = api.call("POST", f"/api/webhooks/{broken_hook['id']}/deliveries/{event_id}/retry")
        assert retried["delivery"]["state"] == "pending" and retried["delivery"]["attempts"] == 0
        wait_until(lambda: broken.delivered_ids() == {event_id}, 10, "the retried delivery")
        assert api.request("POST", f"/api/webhooks/{broken_hook['id']}/deliveries/nope/retry")[0] == 400
        assert api.request("POST", f"/api/webhooks/{broken_hook['id']}/deliveries/1-1/retry")[0] == 404
        figures.case(SUITE)


@pytest.mark.time_limit(120)
def test_kill_9_mid_delivery_and_another_server_delivers_everything(start_server, hooks_redis, figures):
    first = start_server(lease_s=2)
    api = Api(first.base_url, "crash")
    with WebhookReceiver() as receiver:
        webhook, secret = create_webhook(api, receiver.url, projectId="crash")
        receiver.hold()
        for number in range(10):
            api.create_task(f"Before the crash {number}")
        wait_until(lambda: len(receiver.received()) >= 1, 10, "a delivery in flight")
        in_flight = {request.webhook_id for request in receiver.received()}
        first.process.kill()  # SIGKILL: no shutdown, no report; its leases and group entries are left behind
        first.process.wait(timeout=10)
        killed_at = time.monotonic()
        receiver.release()  # the held requests are answered to a dead process: never counted as delivered

        second = start_server(lease_s=2)
        api = Api(second.base_url, "crash")
        for number in range(10):
            api.create_task(f"After the crash {number}")
        ids = stream_ids(hooks_redis, "crash")
        assert len(ids) == 20
        wait_until(lambda: receiver.delivered_ids() >= set(ids), 30, "every event delivered after the crash")
        takeover = time.monotonic() - killed_at
        for request in receiver.received():
            assert verified(secret, request)["id"] == request.webhook_id
        # The deliveries the killed server had in flight were sent again; repeats carry the same id and body, so a
        # receiver de-duplicates them by webhook-id.
        grouped = receiver.by_id()
        assert all(len(grouped[event_id]) >= 2 for event_id in in_flight), in_flight
        assert all(len({request.body for request in group}) == 1 for group in grouped.values())
        wait_until(lambda: all(d["state"] == "delivered" for d in deliveries(api, webhook["id"])), 10,
                   "every delivery recorded as delivered")
        assert len(deliveries(api, webhook["id"])) == 20
        pending = hooks_redis.command("XPENDING", "mae:{crash}:events", "webhooks")
        assert pending[0] == 0, "every event acknowledged in the consumer group"
        figures.note(SUITE, "takeover_after_kill_s", round(takeover, 2))
        figures.note(SUITE, "repeated_after_kill", sum(len(group) - 1 for group in grouped.values()))
        figures.case(SUITE)


@pytest.mark.time_limit(90)
def test_a_slow_and_a_dead_endpoint_do_not_delay_a_healthy_one(start_server, hooks_redis, figures):
    server = start_server(retry_schedule="1s,1s")
    api = Api(server.base_url, "mixed")
    with WebhookReceiver(delay=15) as slow, WebhookReceiver() as healthy:
        slow_hook, _ = create_webhook(api, slow.url, projectId="mixed")
        dead_hook, _ = create_webhook(api, f"http://127.0.0.1:{free_port()}/nobody", projectId="mixed")
        create_webhook(api, healthy.url, projectId="mixed")
        started = time.monotonic()
        for number in range(20):
            api.create_task(f"Busy {number}")
        ids = set(stream_ids(hooks_redis, "mixed"))
        wait_until(lambda: healthy.delivered_ids() >= ids, 8, "the healthy endpoint to get every event")
        elapsed = time.monotonic() - started
        assert elapsed < 8, f"the healthy endpoint waited {elapsed:.1f} s"
        assert len(slow.received()) <= 4, "a slow endpoint holds only its own share of the sender"
        assert healthy.delivered_ids().isdisjoint(slow.delivered_ids())
        # The slow endpoint's backlog shows in /metrics: 20 waiting (4 of them in flight), the oldest aging.
        wait_until(lambda: metric(server, "maestro_webhook_pending") >= 20
                   and metric(server, "maestro_webhook_oldest_pending_seconds") >= 1, 5, "the backlog in /metrics")
        wait_until(lambda: any("refused" in (d["lastError"] or "") for d in deliveries(api, dead_hook["id"])), 5,
                   "the dead endpoint's refusals recorded")
        assert all(d["state"] == "pending" for d in deliveries(api, slow_hook["id"]))
        figures.note(SUITE, "healthy_all_20_delivered_s", round(elapsed, 2))
        figures.case(SUITE)


def test_redirects_are_not_followed(start_server, hooks_redis, figures):
    server = start_server(retry_schedule="200ms")
    api = Api(server.base_url, "moved")
    with WebhookReceiver() as target, WebhookReceiver(answers=[301, 308], redirect_to=target.url) as mover:
        webhook, _ = create_webhook(api, mover.url, projectId="moved")
        api.create_task("Moved permanently")
        wait_until(lambda: deliveries(api, webhook["id"])[0]["state"] == "dead", 10, "the redirected delivery dead")
        [dead] = deliveries(api, webhook["id"])
        assert dead["attempts"] == 2 and len(mover.received()) == 2
        assert dead["lastStatus"] == 308 and dead["lastError"] == "HTTP 308 (redirects are not followed)"
        assert target.received() == [], "a Location was followed"
        figures.case(SUITE)


def test_a_server_without_delivery_leaves_it_to_one_with(start_server, hooks_redis, figures):
    quiet = start_server(delivering=False)
    api = Api(quiet.base_url, "quiet")
    with WebhookReceiver() as receiver:
        webhook, _ = create_webhook(api, receiver.url, projectId="quiet")
        api.create_task("Nobody sends this yet")
        [event_id] = stream_ids(hooks_redis, "quiet")
        time.sleep(2)
        assert receiver.received() == [], "a server started with --no-webhook-delivery sent a request"
        assert all(d["attempts"] == 0 for d in deliveries(api, webhook["id"]))
        start_server()
        wait_until(lambda: receiver.delivered_ids() == {event_id}, 10, "a delivering server to send what was waiting")
        wait_until(lambda: [d["state"] for d in deliveries(api, webhook["id"])] == ["delivered"], 5,
                   "the delivery listed as delivered, by the server that does not deliver too")
        assert len(receiver.received()) == 1
        figures.case(SUITE)


def test_an_answer_slower_than_the_timeout_is_a_failed_attempt(start_server, hooks_redis, figures):
    server = start_server(retry_schedule="200ms", timeout_s=1)
    api = Api(server.base_url, "slowpoke")
    with WebhookReceiver(delay=3) as slow:
        webhook, _ = create_webhook(api, slow.url, projectId="slowpoke")
        api.create_task("Answered too late")
        wait_until(lambda: deliveries(api, webhook["id"])[0]["state"] == "dead", 10,
                   "both attempts timed out after 1 s (--webhook-timeout 1)")
        [dead] = deliveries(api, webhook["id"])
        assert dead["attempts"] == 2 and dead["lastStatus"] is None, dead
        assert dead["lastError"] == "timed out after 1.0 seconds", dead["lastError"]
        figures.case(SUITE)


def test_an_endless_answer_is_cut_off(start_server, hooks_redis, figures):
    # The sender reads at most 64 KiB of an answer: a 200 whose body never ends is a delivery, recorded at once.
    server = start_server(retry_schedule="1s")
    api = Api(server.base_url, "chatty")
    with WebhookReceiver(endless=True) as chatty:
        webhook, _ = create_webhook(api, chatty.url, projectId="chatty")
        started = time.monotonic()
        api.create_task("Answered at length")
        wait_until(lambda: deliveries(api, webhook["id"])[0]["state"] == "delivered", 8,
                   "the delivery recorded (without the cap it would read on until its 10 s timeout)")
        elapsed = time.monotonic() - started
        [delivery] = deliveries(api, webhook["id"])
        assert delivery["attempts"] == 1 and delivery["lastStatus"] == 200 and delivery["lastError"] is None
        wait_until(lambda: chatty.received()[0].hung_up_at is not None, 10, "the sender to hang up")
        [request] = chatty.received()
        # What the sockets' buffers took counts too; reading on for 10 s would be gigabytes on loopback.
        assert request.answer_bytes < 16 * 1024 * 1024, f"{request.answer_bytes} bytes sent before the hang-up"
        figures.note(SUITE, "endless_answer_delivered_s", round(elapsed, 2))
        figures.note(SUITE, "endless_answer_sent_kib", request.answer_bytes // 1024)
        figures.case(SUITE)


def test_private_targets_are_refused_by_default(server, redis, start_server, hooks_redis, figures):
    # The shared server runs without --allow-private-webhook-targets.
    api = Api(server.base_url, "private")
    before = redis.snapshot("mae:webhooks")
    for url, reason in [
        ("http://127.0.0.1:8080/hook", "loopback"), ("http://localhost/hook", "loopback"),
        ("http://[::1]/hook", "loopback"), ("http://10.0.0.7/", "private"), ("http://192.168.1.1/", "private"),
        ("http://172.16.0.1/", "private"), ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://[fd00::1]/", "unique local"), ("http://0.0.0.0/", "unspecified"),
        ("http://[::ffff:127.0.0.1]/", "IPv4-mapped"), ("http://100.64.0.1/", "shared address space"),
    ]:
        status, text = api.request("POST", "/api/webhooks", {"url": url, "events": ["*"]})
        failure = None if status == 400 and reason in text else f"{url}: {status} {text}"
        figures.case(SUITE, failure)
        assert failure is None
        assert "--allow-private-webhook-targets" in text
    assert redis.snapshot("mae:webhooks") == before, "a refused webhook changes nothing"

    # Checked again at every delivery: a webhook made while private targets were allowed is not delivered by a server
    # that refuses them.
    allowing = start_server()
    with WebhookReceiver() as receiver:
        webhook, _ = create_webhook(Api(allowing.base_url, "private"), receiver.url, projectId="private")
        allowing.stop()
        refusing = start_server(allow_private=False)
        api = Api(refusing.base_url, "private")
        api.create_task("Not for loopback")
        wait_until(lambda: deliveries(api, webhook["id"])[0]["state"] == "dead", 15, "the refused delivery to die")
        [delivery] = deliveries(api, webhook["id"])
        assert "loopback" in delivery["lastError"] and delivery["lastStatus"] is None
        assert receiver.received() == []


def test_slack_format_is_one_readable_line(start_server, hooks_redis, figures):
    server = start_server()
    api = Api(server.base_url, "chat")
    with WebhookReceiver() as receiver:
        create_webhook(api, receiver.url, projectId="chat", events=["task:session_status"], format="slack",
                       statuses=["needs_input", "blocked"])
        task = api.create_task("Pick a database")["id"]
        spawned = api.spawn_session("claude")
        session, token = spawned["session"]["id"], spawned["token"]
        agent = Api(server.base_url, "chat", token=token)
        agent.call("POST", f"/api/tasks/{task}/queue", {"sessionId": session})
        for status, notes in [("working", None), ("needs_input", "Postgres or SQLite?"), ("working", None),
                              ("blocked", "waiting for <@U123> & CI")]:
            agent.call("PUT", f"/api/tasks/{task}/sessions/{session}/status",
                       {"status": status, **({"notes": notes} if notes else {})})
        wait_until(lambda: len(receiver.delivered_ids()) == 2, 15, "the two wanted statuses")
        time.sleep(0.5)
        texts = sorted(json.loads(request.body)["text"] for request in receiver.received())
        assert all(set(json.loads(request.body)) == {"text"} for request in receiver.received())
        assert texts == sorted([
            f"[chat] task {task}: session {session} needs input — Postgres or SQLite?",
            f"[chat] task {task}: session {session} is blocked — waiting for &lt;@U123&gt; &amp; CI",
        ]), texts
        figures.case(SUITE)
