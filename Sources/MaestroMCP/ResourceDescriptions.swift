import MaestroDomain

/// A family of resources addressed by a URI template (`resources/templates/list`).
public struct ResourceTemplate: Sendable {
    public var uriTemplate: String
    public var name: String
    public var title: String
    public var description: String
    public var mimeType: String

    public init(uriTemplate: String, name: String, title: String, description: String, mimeType: String) {
        self.uriTemplate = uriTemplate
        self.name = name
        self.title = title
        self.description = description
        self.mimeType = mimeType
    }

    var jsonValue: JSONValue {
        [
            "uriTemplate": .string(uriTemplate), "name": .string(name), "title": .string(title),
            "description": .string(description), "mimeType": .string(mimeType),
        ]
    }
}

/// One concrete resource (`resources/list`).
public struct ResourceDescription: Sendable, Equatable {
    public var uri: String
    public var name: String
    public var title: String
    public var mimeType: String

    public init(uri: String, name: String, title: String, mimeType: String) {
        self.uri = uri
        self.name = name
        self.title = title
        self.mimeType = mimeType
    }

    var jsonValue: JSONValue {
        ["uri": .string(uri), "name": .string(name), "title": .string(title), "mimeType": .string(mimeType)]
    }
}

/// A resource's text (`resources/read`).
public struct ResourceText: Sendable, Equatable {
    public var uri: String
    public var mimeType: String
    public var text: String

    public init(uri: String, mimeType: String, text: String) {
        self.uri = uri
        self.mimeType = mimeType
        self.text = text
    }

    var jsonValue: JSONValue { ["uri": .string(uri), "mimeType": .string(mimeType), "text": .string(text)] }
}
