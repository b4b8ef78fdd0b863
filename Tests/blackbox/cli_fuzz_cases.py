"""Random `maestro` commands for the CLI fuzzing, built from random values: refused ones of every kind (bad values,
refused transitions, unknown tasks, broken environments, unknown options), and valid ones that walk the state
machine, each updating the world's model once it succeeded."""

from __future__ import annotations

from blackbox_env import USER_TOKEN
from cli_fuzz_values import Values
from cli_fuzz_world import MAX_ARG, Case, b

SESSION_STATUSES = ["queued", "working", "needs_input", "blocked", "completed", "failed", "cancelled"]
ALLOWED = {  # README: `task update` allows ... ; repeating the current status refreshes it
    "queued": {"working", "cancelled", "queued"},
    "working": {"completed", "blocked", "needs_input", "failed", "cancelled", "working"},
    "blocked": {"working", "cancelled", "blocked"},
    "needs_input": {"working", "cancelled", "needs_input"},
    "failed": {"working", "cancelled", "failed"},
    "completed": {"cancelled", "completed"},
    "cancelled": {"cancelled"},
}


class Generator(Values):
    """Random commands against the world's tasks, keeping its model of this session's statuses up to date."""

    def next_refused(self) -> Case:
        r = self.rng
        kind = r.choices(["update", "transition", "unknown-task", "queue", "create", "session", "read", "root", "env"],
                         weights=[40, 8, 4, 12, 10, 6, 6, 4, 6])[0]
        return getattr(self, "refused_" + kind.replace("-", "_"))()

    def _update_parts(self, task: bytes, status: bytes, notes: bytes | None) -> list[list[bytes]]:
        parts = [[task], [b"--status", status]]
        if notes is not None:
            parts.append([b"--notes", notes])
        return parts

    def _assemble(self, command: list[bytes], parts: list[list[bytes]]) -> list[bytes]:
        self.rng.shuffle(parts)
        return command + [word for part in parts for word in part]

    def refused_update(self) -> Case:
        r = self.rng
        task_id = r.choice(list(self.world.tasks))
        status, notes = b"cancelled", None  # valid from every state, so only the mutations make it wrong
        if r.random() < 0.5:
            notes = b(self.valid_notes())
        task = b(task_id)
        mutations, expected, extra, env = [], set(), [], {}
        omit_status = False
        chosen = r.sample(["status", "id", "notes", "option", "extra", "repeat", "missing-value", "missing-status",
                           "options-ended", "env"], k=r.choice([1, 1, 1, 2, 3]))
        if "missing-status" in chosen and "repeat" in chosen:
            chosen.remove("repeat")  # a repeated --status would put the missing one back
        for mutation in chosen:
            if mutation == "status":
                status = self.invalid_status()
            elif mutation == "id":
                task = self.invalid_id()
            elif mutation == "notes":
                notes, mutation = self.invalid_notes()
            elif mutation == "option":
                extra.append(self.unknown_option())
            elif mutation == "extra":
                extra.append([r.choice([b"fz-1", b"-x", b"extra", b"\xff", b"-"])])
            elif mutation == "repeat":
                # a second --status, --notes or --json: "given more than once"
                extra.append(r.choice([[b"--status", b"working"], [b"--notes", b"again"], [b"--json", b"--json"]])
                             if notes is not None else [b"--status", b"cancelled"])
            elif mutation == "missing-value":
                pass  # handled below: a trailing option without its value
            elif mutation == "missing-status":
                omit_status = True
            elif mutation == "options-ended":
                pass
            elif mutation == "env":
                env, codes, mutation = self.broken_env()
                expected |= codes
                mutations.append(mutation)
                continue
            mutations.append(mutation)
            expected.add(64)
        parts = self._update_parts(task, status, notes)
        if omit_status:
            parts = [part for part in parts if part[0] != b"--status"]
        argv = self._assemble([b"task", b"update"], parts + extra)
        if "missing-value" in mutations:
            argv.append(r.choice([b"--status", b"--notes", b"--idempotency-key"]))
        if "options-ended" in mutations:
            # after `--` everything is positional: the status option becomes two unexpected arguments
            argv = [b"task", b"update", task] + ([b"--notes", notes] if notes is not None else []) + [b"--", b"--status", status]
        return Case("update:" + "+".join(mutations), argv, expected, env=env)

    def refused_env(self) -> Case:
        """A command that would succeed, run with a broken session environment."""
        r = self.rng
        env, codes, label = self.broken_env()
        queued = [task for task, status in self.world.tasks.items() if status not in (None, "cancelled")]
        if queued and r.random() < 0.7:
            argv = [b"task", b"update", b(r.choice(queued)), b"--status", b"cancelled"]
        else:
            argv = [b"task", b"queue", *map(b, r.sample(list(self.world.tasks), 2))]
        return Case(f"env:{label}:{argv[1].decode()}", argv, codes, env=env)

    def refused_transition(self) -> Case:
        r = self.rng
        queued = [task for task, status in self.world.tasks.items() if status is not None]
        if not queued:
            return self.refused_update()
        task_id = r.choice(queued)
        current = self.world.tasks[task_id]
        status = r.choice(sorted(set(SESSION_STATUSES) - ALLOWED[current]))
        argv = [b"task", b"update", b(task_id), b"--status", b(status)]
        if r.random() < 0.5:
            argv += [b"--notes", b(self.valid_notes())]
        return Case(f"transition:{current}->{status}", argv, {3})

    def refused_unknown_task(self) -> Case:
        r = self.rng
        command = r.choice(["update", "queue", "answer"])
        unknown = b("nope-" + self.valid_id())
        if command == "update":
            argv = [b"task", b"update", unknown, b"--status", b"working"]
        elif command == "queue":
            known = [b(task) for task in self._some_tasks(2)]
            ids = known + [unknown]
            r.shuffle(ids)
            argv = [b"task", b"queue", *ids]  # all or nothing: the known ones must stay unqueued too
        else:
            argv = [b"task", b"answer", unknown]
        return Case(f"unknown-task:{command}", argv, {4})

    def _some_tasks(self, count: int) -> list[str]:
        """Tasks this session has not queued first: a refused queue must leave them unqueued (all or nothing)."""
        unqueued = [task for task, status in self.world.tasks.items() if status is None]
        others = [task for task in self.world.tasks if task not in unqueued]
        self.rng.shuffle(unqueued)
        self.rng.shuffle(others)
        return (unqueued + others)[:count]

    def refused_queue(self) -> Case:
        r = self.rng
        ids = [b(task) for task in self._some_tasks(r.randint(1, 3))]
        kind = r.randrange(4)
        if kind == 0:
            ids.insert(r.randint(0, len(ids)), self.invalid_id())
            label, expected = "queue:bad-id", {64}
        elif kind == 1:
            ids.insert(r.randint(0, len(ids)), b"fz-cancelled")
            label, expected = "queue:cancelled-task", {3}
        elif kind == 2:
            # 1 MiB of arguments: eight ids of 128 KiB each
            ids += [b("q" * MAX_ARG) for _ in range(8)]
            label, expected = "queue:1MiB-of-ids", {64}
        else:
            ids.append(b"--bogus")
            label, expected = "queue:unknown-option", {64}
        argv = [b"task", b"queue", *ids]
        if r.random() < 0.3:
            argv += [b"--idempotency-key", r.choice([b"a b", b"{k}", b("k" * 129), b"", b"\xff"])]
            label += "+bad-key"
            expected = expected | {64}
        return Case(label, argv, expected)

    def refused_create(self) -> Case:
        r = self.rng
        title, options = b"A fine title", []
        kind = r.randrange(8)
        if kind == 0:
            title, label, expected = r.choice([b"", b"\n", b"line\nbreak", b"tab\there", b("t" * 501), b"\xff\xfe",
                                               b"bell\x07", b"esc\x1b[1m", b("é" * 501)]), "create:title", {64}
        elif kind == 1:
            options, label, expected = [b"--priority", r.choice([b"huge", b"", b"Low", b"\xff", b"urgent!"])], "create:priority", {64}
        elif kind == 2:
            options, label, expected = [b"--parent", self.invalid_id()], "create:parent-format", {64}
        elif kind == 3:
            options, label, expected = [b"--parent", b"nope-parent"], "create:unknown-parent", {4}
        elif kind == 4:
            options, label, expected = [b"--id", self.invalid_id()], "create:id-format", {64}
        elif kind == 5:
            options, label, expected = [b"--id", b"fz-0"], "create:duplicate-id", {3}
        elif kind == 6:
            description = r.choice([b("d" * 65537), b"desc\x02", b"bad \xff utf8"])
            options, label, expected = [b"--description", description], "create:description", {64}
        else:
            options, label, expected = self.unknown_option(), "create:unknown-option", {64}
        parts = [[title], options] if options else [[title]]
        return Case(label, self._assemble([b"task", b"create"], parts), expected)

    def refused_session(self) -> Case:
        r = self.rng
        kind = r.randrange(5)
        if kind == 0:
            options, label, expected = [b"--name", r.choice([b"a\nb", b("n" * 201), b"\xff", b"ctl\x01"])], "session:name", {64}
        elif kind == 1:
            options, label, expected = [b"--id", self.invalid_id()], "session:id-format", {64}
        elif kind == 2:
            options, label, expected = [b"--id", b(self.world.session_id)], "session:duplicate-id", {3}
        elif kind == 3:
            options, label, expected = [b"--task", self.invalid_id()], "session:task-format", {64}
        else:
            options, label, expected = [b"--task", b"nope-task"], "session:unknown-task", {4}
        # over HTTP, creating a session takes the user token (README): give it, so the input checks are reached
        env = {b"MAESTRO_USER_TOKEN": USER_TOKEN.encode()} if self.world.mode == "http" else {}
        return Case(label, [b"session", b"create", *options], expected, env=env)

    def refused_read(self) -> Case:
        r = self.rng
        kind = r.randrange(5)
        if kind == 0:
            return Case("read:show-bad-id", [b"task", b"show", self.invalid_id()], {64})
        if kind == 1:
            return Case("read:answer-bad-id", [b"task", b"answer", self.invalid_id()], {64})
        if kind == 2:
            return Case("read:list-status", [b"task", b"list", b"--status", r.choice([b"queued", b"bogus", b"", b"\xff"])], {64})
        if kind == 3:
            value = r.choice([b"0", b"-1", b"1001", b"1e3", b"99999999999999999999999", b"", b"\xff", b"0x10"])
            return Case("read:list-limit", [b"task", b"list", b"--limit", value], {64})
        return Case("read:answer-timeout", [b"task", b"answer", b"fz-0", b"--wait", b"--timeout", r.choice([b"-5", b"abc", b""])], {64})

    def refused_root(self) -> Case:
        """Unknown options in front of the subcommands: `maestro --status working task update ...`."""
        r = self.rng
        option = r.choice([[b"--status", b"working"], [b"--bogus"], [b"--project", b"other"], [b"-x"], [b"--json"]])
        position = r.randint(0, 1)
        command = [b"task", b"update", b"fz-0", b"--status", b"cancelled"]
        argv = command[:position] + option + command[position:]
        return Case(f"root:unknown-option-at-{['maestro', 'task'][position]}", argv, {64})

    def next_valid(self) -> Case:
        r = self.rng
        world = self.world
        unqueued = [task for task, status in world.tasks.items() if status is None]
        live = [task for task, status in world.tasks.items() if status not in (None, "cancelled", "completed")]
        if not live and not unqueued:
            world.created += 1
            task_id = f"fz-new-{world.created}"
            title = r.choice(["New task", "Tâche n°2 — ünïcödé", "x" * 500, "{P} /a/b ?#"])
            parts = [[b(title)], [b"--id", b(task_id)], [b"--priority", b(r.choice(["low", "medium", "high", "urgent"]))]]
            if r.random() < 0.5:
                parts.append([b"--parent", b"fz-parent"])

            def created():
                world.tasks[task_id] = None
            return Case("valid:create", self._assemble([b"task", b"create"], parts), {0}, valid=True, after=created)
        if unqueued and (not live or r.random() < 0.3):
            ids = r.sample(unqueued, r.randint(1, len(unqueued)))

            def queued():
                for task in ids:
                    world.tasks[task] = "queued"
            return Case("valid:queue", [b"task", b"queue", *map(b, ids)], {0}, valid=True, after=queued)
        task_id = r.choice(live)
        current = world.tasks[task_id]
        # prefer moving on; cancel rarely, so the walk stays long
        targets = sorted(ALLOWED[current] - {"cancelled"}) if r.random() < 0.9 else ["cancelled"]
        status = r.choice(targets)
        notes = self.valid_notes() if status in ("blocked", "needs_input") or r.random() < 0.5 else None
        parts = [[b(task_id)]]
        parts.append([b"--status=" + b(status)] if r.random() < 0.3 else [b"--status", b(status)])
        if notes is not None:
            parts.append([b"--notes", b(notes)] if r.random() < 0.7 else [b"--notes=" + b(notes)])
        if r.random() < 0.2:
            parts.append([b"--json"])
        if r.random() < 0.2:
            parts.append([b"--idempotency-key", b("fz-key-" + self.valid_id())])
        argv = self._assemble([b"task", b"update"], parts)
        if r.random() < 0.15 and argv[2:3] == [b(task_id)]:
            argv = [b"task", b"update"] + argv[3:] + [b"--", b(task_id)]

        def updated():
            world.tasks[task_id] = status
        return Case(f"valid:{current}->{status}", argv, {0}, valid=True, check=(task_id, status, notes), after=updated)
