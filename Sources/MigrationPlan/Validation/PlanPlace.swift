/// A folder the plan names that enmigrate writes or reads: a feed's `location` + `root`, or the
/// folder of a feed's `index`.
struct PlanPlace {
    /// Which entry of the plan it is.
    enum Kind {
        case clientFeed, clientOrigin, secondFeed, clientMirror, nationalFeed, nationalExport
    }

    let kind: Kind
    /// Whether enmigrate writes there (it reads every other place).
    let isWritten: Bool
    /// How messages name it, e.g. `state.clientMirror`.
    let name: String
    /// The JSON pointer of the value that names the folder: diagnostics point there.
    let pointer: String
    let folder: FolderAddress

    /// What is at risk when something else writes over this place, for messages.
    var contents: String {
        switch kind {
        case .clientFeed: "the client feed the state's phones read"
        case .clientOrigin: "the state's own exports"
        case .secondFeed: isWritten ? "the second feed" : "the second feed the state writes for the importer"
        case .clientMirror: "the client mirror"
        case .nationalFeed: "the national feed"
        case .nationalExport: "the national export"
        }
    }
}

extension MigrationPlan {
    /// Every folder enmigrate writes or reads a feed from, in plan order.
    var places: [PlanPlace] {
        var places = [
            PlanPlace(
                kind: .clientFeed, isWritten: false, name: "state.clientFeed", pointer: "/state/clientFeed/index",
                folder: FolderAddress(folderOf: state.clientFeed.index))
        ]
        if let origin = state.clientFeed.origin {
            places.append(
                PlanPlace(
                    kind: .clientOrigin, isWritten: false, name: "state.clientFeed.origin",
                    pointer: "/state/clientFeed/origin", folder: FolderAddress(folderOf: origin)))
        }
        // With `source: external` the state's server writes the second feed; enmigrate only reads it.
        places.append(
            PlanPlace(
                kind: .secondFeed, isWritten: state.secondFeed.source != .external, name: "state.secondFeed",
                pointer: "/state/secondFeed/location",
                folder: FolderAddress(location: state.secondFeed.location, root: state.secondFeed.root)))
        places.append(
            PlanPlace(
                kind: .clientMirror, isWritten: true, name: "state.clientMirror", pointer: "/state/clientMirror/location",
                folder: FolderAddress(location: state.clientMirror.location, root: state.clientMirror.root)))
        places.append(
            PlanPlace(
                kind: .nationalFeed, isWritten: false, name: "national.feed", pointer: "/national/feed/index",
                folder: FolderAddress(folderOf: national.feed.index)))
        if let export = national.export {
            places.append(
                PlanPlace(
                    kind: .nationalExport, isWritten: true, name: "national.export", pointer: "/national/export/location",
                    folder: FolderAddress(location: export.location, root: export.root)))
        }
        return places
    }
}
