import Foundation

extension PlanDecoder {
    /// `hooks:`: a list of `{on, command | webhook, timeout}`.
    func decodeHooks(_ node: PlanNode) -> [Hook]? {
        let path = "/hooks"
        guard case let .sequence(items, _) = node else {
            reader.report(node.location, path, "wrong-type", "`hooks` must be a list, found \(node.kindName)")
            return nil
        }
        let hooks = items.enumerated().map { index, item in decodeHook(item, path: "\(path)/\(index)") }
        guard hooks.allSatisfy({ $0 != nil }) else { return nil }
        return hooks.compactMap { $0 }
    }

    private func decodeHook(_ node: PlanNode, path: String) -> Hook? {
        guard let map = reader.mapping(node, path: path, known: ["on", "command", "webhook", "timeout"], required: ["on"]) else { return nil }
        let events = map.node("on").flatMap { hookEvents($0, path: path + "/on") }
        let timeout = map.has("timeout") ? reader.duration(map, "timeout") : .seconds(30)
        var action: Hook.Action?
        switch (map.node("command"), map.has("webhook")) {
        case (let command?, false):
            action = hookCommand(command, path: path + "/command").map(Hook.Action.command)
        case (nil, true):
            action = reader.url(map, "webhook", schemes: ["https", "http"]).map(Hook.Action.webhook)
        case (_?, true):
            reader.report(
                map.valueLocation("webhook"), path, "bad-value", "a hook has either `command` or `webhook`, not both",
                hint: "write two hooks with the same `on`")
        case (nil, false):
            reader.report(
                map.location, path, "missing-field", "a hook needs `command` (a program and its arguments) or `webhook` (a URL)")
        }
        guard let events, let timeout, let action else { return nil }
        return Hook(on: events, action: action, timeout: timeout)
    }

    /// One event name or a list of them.
    private func hookEvents(_ node: PlanNode, path: String) -> [Hook.Event]? {
        let items: [PlanNode]
        switch node {
        case .sequence(let list, _): items = list
        default: items = [node]
        }
        let names = Hook.Event.allCases.map(\.rawValue)
        let events = items.enumerated().map { index, item -> Hook.Event? in
            guard case let .scalar(text, _, location) = item else {
                reader.report(item.location, path, "wrong-type", "`on` lists event names, found \(item.kindName)")
                return nil
            }
            guard let event = Hook.Event(rawValue: text) else {
                let guess = EditDistance.closest(to: text, in: names).map { "did you mean `\($0)`? " } ?? ""
                reader.report(
                    location, items.count > 1 ? "\(path)/\(index)" : path, "unknown-value", "`\(text)` is not a hook event",
                    hint: guess + "events: " + names.joined(separator: ", "))
                return nil
            }
            return event
        }
        guard !events.isEmpty else {
            reader.report(node.location, path, "missing-field", "`on` names no event")
            return nil
        }
        guard events.allSatisfy({ $0 != nil }) else { return nil }
        return events.compactMap { $0 }
    }

    /// `[program, arguments…]`; a program given as a relative path (`./check.sh`, `hooks/x`) is
    /// resolved against the plan's folder, a bare name is looked up in `PATH` when it runs.
    private func hookCommand(_ node: PlanNode, path: String) -> [String]? {
        guard case let .sequence(items, location) = node else {
            reader.report(
                node.location, path, "wrong-type", "`command` must be a list: the program, then its arguments (no shell)",
                hint: "write command: [\"/usr/local/bin/notify\", \"--channel\", \"ops\"]")
            return nil
        }
        var words: [String] = []
        for item in items {
            guard case let .scalar(text, _, _) = item, !text.isEmpty else {
                reader.report(item.location, path, "wrong-type", "every word of `command` must be a non-empty string")
                return nil
            }
            words.append(text)
        }
        guard let program = words.first else {
            reader.report(location, path, "missing-field", "`command` names no program")
            return nil
        }
        if program.contains("/") && !program.hasPrefix("/") { words[0] = reader.resolve(program) }
        return words
    }
}
