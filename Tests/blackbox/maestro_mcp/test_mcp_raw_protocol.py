"""Raw JSON-RPC to `maestro mcp` that the client cannot send: malformed JSON, batches, unknown methods and tools, bad
params, an over-long line, pipelined calls, cancellation of a waiting get_answer while a ping is answered, calls
sent before stdin closes, the bound on waiting calls."""

from __future__ import annotations

import json
import subprocess
import threading
import time

from mcp_session import Project

# --- raw JSON-RPC over stdio ----------------------------------------------------------------------------------------

class RawServer:
    """`maestro mcp` with pipes, for messages the client library would never send."""

    def __init__(self, project: Project, env: dict[str, str]):
        self.process = subprocess.Popen([str(project.binaries.cli), "mcp"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        self.lines: list[dict] = []
        self.condition = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            with self.condition:
                self.lines.append(json.loads(line))
                self.condition.notify_all()

    def send(self, data: bytes | dict):
        self.process.stdin.write(data if isinstance(data, bytes) else json.dumps(data).encode() + b"\n")
        self.process.stdin.flush()

    def reply(self, predicate, seconds: float = 10) -> dict:
        deadline = time.monotonic() + seconds
        with self.condition:
            while True:
                found = next((line for line in self.lines if predicate(line)), None)
                if found is not None:
                    self.lines.remove(found)
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no matching reply within {seconds} s; got {self.lines}")
                self.condition.wait(remaining)

    def request(self, id_, method: str, params: dict | None = None, seconds: float = 10) -> dict:
        message = {"jsonrpc": "2.0", "id": id_, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return self.reply(lambda line: line.get("id") == id_, seconds)

    def initialize(self, version: str = "2025-06-18") -> dict:
        return self.request(1, "initialize", {"protocolVersion": version, "capabilities": {},
                                              "clientInfo": {"name": "raw", "version": "0"}})

    def call(self, id_, tool: str, arguments: dict) -> dict:
        """A tool call that must succeed; its result."""
        reply = self.request(id_, "tools/call", {"name": tool, "arguments": arguments})
        assert reply["result"]["isError"] is False, reply
        return reply["result"]

    def ask_question(self, task_id: str = "t1"):
        """Queues the task and reports needs_input on it (ids 2 to 4)."""
        self.call(2, "queue_tasks", {"taskIds": [task_id]})
        self.call(3, "update_status", {"taskId": task_id, "status": "working"})
        self.call(4, "update_status", {"taskId": task_id, "status": "needs_input", "notes": "A or B?"})

    def close(self) -> int:
        self.process.stdin.close()
        return self.process.wait(timeout=5)


def test_raw_protocol_errors(project):
    raw = RawServer(project, project.env())
    try:
        for version in ("2025-06-18", "2025-03-26", "2024-11-05", "1999-12-31"):
            init = raw.initialize(version)
            expected = version if version != "1999-12-31" else "2025-11-25"
            assert init["result"]["protocolVersion"] == expected
        raw.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        assert raw.request("p", "ping") == {"jsonrpc": "2.0", "id": "p", "result": {}}

        raw.send(b'{"jsonrpc": "2.0", "id": 5, "method": \n')
        assert raw.reply(lambda line: "error" in line)["error"]["code"] == -32700
        raw.send(b"[" + json.dumps({"jsonrpc": "2.0", "id": 6, "method": "ping"}).encode() + b"]\n")
        batch = raw.reply(lambda line: "error" in line)
        assert (batch["id"], batch["error"]["code"]) == (None, -32600)
        raw.send({"jsonrpc": "1.0", "id": 7, "method": "ping"})
        assert raw.reply(lambda line: line.get("id") == 7)["error"]["code"] == -32600
        assert raw.request(8, "prompts/list")["error"]["code"] == -32601
        assert raw.request(9, "tools/call", {"name": "delete_everything", "arguments": {}})["error"]["code"] == -32602
        assert raw.request(10, "tools/call", {"name": "show_task", "arguments": ["t1"]})["error"]["code"] == -32602
        assert raw.request(11, "tools/call", {"arguments": {}})["error"]["code"] == -32602
        assert raw.request(12, "initialize", {})["error"]["code"] == -32602
        assert raw.request(13, "resources/read", {})["error"]["code"] == -32602
        # A line over 4 MiB is refused without taking the server down.
        raw.send(b'{"jsonrpc":"2.0","id":14,"method":"ping","params":{"x":"' + b"a" * (5 << 20) + b'"}}\n')
        assert raw.reply(lambda line: "error" in line)["error"]["code"] == -32700
        assert raw.request(15, "ping")["result"] == {}
        # A notification never gets an answer; the next request still does, in order.
        raw.send({"jsonrpc": "2.0", "method": "notifications/whatever", "params": {}})
        shown = raw.request(16, "tools/call", {"name": "show_task", "arguments": {"taskId": "t1"}})
        assert shown["result"]["isError"] is False
        assert raw.lines == []
        assert raw.close() == 0
    finally:
        raw.process.kill()


def test_pipelined_calls_apply_in_order(project):
    """Calls sent back to back (as a model's parallel tool calls are) are carried out in the order they arrive: the
    report of `working` finds the task queued, `blocked` finds it working, and the replies come in that order."""
    raw = RawServer(project, project.env())
    try:
        raw.initialize()
        calls = [("queue_tasks", {"taskIds": ["t1", "t2"]})] + [
            ("update_status", {"taskId": task, "status": status, "notes": f"{status} {task}"})
            for task in ("t1", "t2") for status in ("working", "blocked", "working", "needs_input")]
        payload = b"".join(json.dumps({"jsonrpc": "2.0", "id": 100 + index, "method": "tools/call",
                                       "params": {"name": name, "arguments": arguments}}).encode() + b"\n"
                           for index, (name, arguments) in enumerate(calls))
        raw.send(payload)
        replies = [raw.reply(lambda line, id_=100 + index: line.get("id") == id_) for index in range(len(calls))]
        assert [reply["result"]["isError"] for reply in replies] == [False] * len(calls), replies
        assert [(p["status"], p["notes"]) for p in (project.progress("t1"), project.progress("t2"))] == [
            ("needs_input", "needs_input t1"), ("needs_input", "needs_input t2")]
        assert raw.close() == 0
    finally:
        raw.process.kill()


def test_cancelled_wait_and_concurrent_calls(project):
    raw = RawServer(project, project.env())
    try:
        raw.initialize()
        raw.ask_question()
        raw.send({"jsonrpc": "2.0", "id": 5, "method": "tools/call",
                  "params": {"name": "get_answer", "arguments": {"taskId": "t1", "waitSeconds": 600}}})
        started = time.monotonic()
        # Neither a ping nor the next ordered call is held up by the waiting one.
        assert raw.request(6, "ping", seconds=3)["result"] == {}
        shown = raw.request(8, "tools/call", {"name": "show_task", "arguments": {"taskId": "t1"}}, seconds=3)
        assert shown["result"]["structuredContent"]["id"] == "t1"
        raw.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 5}})
        assert raw.request(7, "ping", seconds=3)["result"] == {}
        # The cancelled call gets no response, not even when the answer it waited for comes right after.
        project.answer("t1", "B")
        time.sleep(2.5)
        assert all(line.get("id") != 5 for line in raw.lines), raw.lines
        # An uncancelled wait does answer (the same call, so the silence above is the cancellation's doing).
        again = raw.request(9, "tools/call", {"name": "get_answer", "arguments": {"taskId": "t1", "waitSeconds": 5}})
        assert again["result"]["structuredContent"]["answer"] == "B"
        assert raw.close() == 0
        assert time.monotonic() - started < 30
    finally:
        raw.process.kill()


def test_calls_sent_before_stdin_closes_are_carried_out(project):
    """`printf '…' | maestro mcp`: every call already sent is carried out and answered before the server exits."""
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "pipe", "version": "0"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
         "params": {"name": "queue_tasks", "arguments": {"taskIds": ["t2"]}}},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
         "params": {"name": "update_status", "arguments": {"taskId": "t2", "status": "working"}}},
    ]
    finished = subprocess.run([str(project.binaries.cli), "mcp"], env=project.env(), capture_output=True, timeout=20,
                              input=b"".join(json.dumps(message).encode() + b"\n" for message in messages))
    assert finished.returncode == 0, finished.stderr
    replies = [json.loads(line) for line in finished.stdout.splitlines()]
    assert [reply["id"] for reply in replies] == [1, 2, 3]
    assert replies[0]["result"]["protocolVersion"] == "2025-03-26"
    assert replies[2]["result"]["structuredContent"]["status"] == "working"
    assert project.progress("t2")["status"] == "working"


def test_waiting_calls_are_bounded(project):
    """Each waiting get_answer holds a thread and a connection: the 17th at once is refused, the others go on."""
    raw = RawServer(project, project.env())
    try:
        raw.initialize()
        raw.ask_question()
        waits = list(range(100, 117))
        raw.send(b"".join(json.dumps({"jsonrpc": "2.0", "id": id_, "method": "tools/call", "params": {
            "name": "get_answer", "arguments": {"taskId": "t1", "waitSeconds": 60}}}).encode() + b"\n"
            for id_ in waits))
        refused = raw.reply(lambda line: "error" in line, seconds=5)
        assert refused["id"] == 116 and "more than 16 waiting calls" in refused["error"]["message"]
        # The others are still waiting and still answer: a person answers, all sixteen return it.
        project.answer("t1", "A")
        answers = [raw.reply(lambda line, id_=id_: line.get("id") == id_, seconds=10) for id_ in waits[:16]]
        assert {answer["result"]["structuredContent"]["answer"] for answer in answers} == {"A"}
        assert raw.close() == 0
    finally:
        raw.process.kill()
