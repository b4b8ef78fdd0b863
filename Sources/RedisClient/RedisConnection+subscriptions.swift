#if canImport(Glibc)
    import Glibc
#endif

extension RedisConnection {
    /// Waits for the next reply the server pushes without a request (pub/sub messages after SUBSCRIBE).
    ///
    /// Blocks up to the command timeout (a zero `commandTimeout` waits for ever); `interrupt()` from another
    /// thread ends the wait with `.connectionLost`. In a cluster, shard channels (`SSUBSCRIBE`) live on their
    /// slots' primaries, so the wait covers every node holding a subscription. When a slot moves to another node,
    /// the old one sends `sunsubscribe <channel> <count>` without being asked: it is delivered like any message, and
    /// a new `SSUBSCRIBE` of the channel reaches the new owner.
    public func receive() throws -> RedisReply {
        if !pushedMessages.isEmpty { return pushedMessages.removeFirst() }
        let listeners = listeningLinks()
        if listeners.count <= 1 {
            let link = listeners.first ?? home
            if link === home { try connect() }
            return try read(from: link)
        }
        let timeout = configuration.commandTimeout == .zero ? nil : configuration.commandTimeout
        guard let reply = try receive(from: listeners, timeout: timeout) else {
            let nodes = listeners.map(\.endpoint.description).joined(separator: ", ")
            close()
            throw RedisError(.timedOut, "Redis at \(nodes) did not answer within \(configuration.commandTimeout)")
        }
        return reply
    }

    /// `receive()` that gives up after `timeout`, returning nil, with the connection still usable (a read timeout
    /// inside hiredis would break it): waits for the sockets with poll(2) unless a reply is already buffered.
    public func receive(timeout: Duration) throws -> RedisReply? {
        if !pushedMessages.isEmpty { return pushedMessages.removeFirst() }
        var listeners = listeningLinks()
        if listeners.isEmpty {
            try connect()
            listeners = [home]
        }
        return try receive(from: listeners, timeout: timeout)
    }

    /// The reply to `command`, read from `link`. On a socket in subscribe mode, messages the server pushes may
    /// come first: they are kept for `receive`. Keeps each socket's subscription counts up to date.
    func reply(to command: RedisCommand, on link: NodeLink) throws -> RedisReply {
        let kind = PubSubReply.Kind(command: command)
        while true {
            let reply = try link.readReply()
            let wasSubscribed = link.isSubscribed
            guard wasSubscribed || kind != nil, let meaning = PubSubReply(reply) else { return reply }
            switch meaning {
            case .message:
                guard wasSubscribed else { return reply }
            case .subscription(let replyKind, let channel, let count):
                let names = command.arguments.dropFirst()
                let answers = replyKind == kind && (names.isEmpty || channel.map { names.contains($0) } ?? true)
                if answers || wasSubscribed { link.note(replyKind, count: count) }
                if answers || !wasSubscribed { return reply }
            }
            pushedMessages.append(reply)
        }
    }

    /// Sockets holding subscriptions.
    private func listeningLinks() -> [NodeLink] {
        var links = home.isSubscribed ? [home] : []
        for link in cluster?.allLinks ?? [] where link.isSubscribed && !links.contains(where: { $0 === link }) {
            links.append(link)
        }
        return links
    }

    /// The first reply any of `links` has, waiting up to `timeout` (nil: for ever); nil when none came.
    private func receive(from links: [NodeLink], timeout: Duration?) throws -> RedisReply? {
        for link in links {
            if let reply = try link.bufferedReply() { return noted(reply, from: link) }
        }
        let deadline = timeout.map { ContinuousClock.now + $0 }
        while true {
            var descriptors = links.map { pollfd(fd: $0.descriptor ?? -1, events: Int16(POLLIN), revents: 0) }
            var milliseconds: Int32 = -1
            if let deadline {
                let left = max(deadline - ContinuousClock.now, .zero).components
                milliseconds = Int32(clamping: left.seconds * 1000 + left.attoseconds / 1_000_000_000_000_000)
            }
            let ready = poll(&descriptors, nfds_t(descriptors.count), milliseconds)
            if ready < 0 {
                guard errno == EINTR else {
                    throw RedisError(.connectionLost, "waiting for Redis failed: \(String(cString: strerror(errno)))")
                }
                continue
            }
            guard ready > 0 else { return nil }
            // Rotate where the search starts, so a busy node cannot starve the others.
            nextListener &+= 1
            for offset in links.indices {
                let index = (nextListener + offset) % links.count
                if descriptors[index].revents != 0 { return try read(from: links[index]) }
            }
        }
    }

    /// One reply from `link`, blocking up to the command timeout.
    private func read(from link: NodeLink) throws -> RedisReply {
        do {
            return noted(try link.readReply(), from: link)
        } catch {
            cluster?.isStale = true
            throw error
        }
    }

    /// Keeps the socket's subscription count in step with a pushed reply.
    private func noted(_ reply: RedisReply, from link: NodeLink) -> RedisReply {
        if case .subscription(let kind, _, let count) = PubSubReply(reply) { link.note(kind, count: count) }
        return reply
    }
}

extension NodeLink {
    /// Records the subscription count a confirmation reported.
    func note(_ kind: PubSubReply.Kind, count: Int) {
        if kind.isShard { shardSubscriptions = count } else { classicSubscriptions = count }
    }
}
