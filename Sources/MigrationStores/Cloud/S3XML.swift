import Foundation

/// One page of a `ListObjectsV2` answer: the keys directly in the folder and the token of the
/// next page. S3's XML is flat and regular; the few elements needed are read without an XML
/// library (Foundation's parser needs libxml2 at run time, which a static build would carry).
struct S3ListPage {
    let keys: [String]
    let nextToken: String?

    init(xml: Data) {
        let text = String(decoding: xml, as: UTF8.self)
        keys = S3XML.elements("Key", in: text)
        let truncated = S3XML.elements("IsTruncated", in: text).first == "true"
        nextToken = truncated ? S3XML.elements("NextContinuationToken", in: text).first : nil
    }
}

/// The `<Error><Code>…</Code><Message>…</Message></Error>` S3 answers a refusal with.
struct S3ErrorBody {
    let code: String?
    let message: String?

    init(xml: Data) {
        let text = String(decoding: xml, as: UTF8.self)
        code = S3XML.elements("Code", in: text).first
        message = S3XML.elements("Message", in: text).first
    }
}

enum S3XML {
    /// The text of every `<name>…</name>` element, entities decoded.
    static func elements(_ name: String, in text: String) -> [String] {
        var values: [String] = []
        var rest = text[...]
        while let open = rest.range(of: "<\(name)>") {
            guard let close = rest[open.upperBound...].range(of: "</\(name)>") else { break }
            values.append(decode(String(rest[open.upperBound..<close.lowerBound])))
            rest = rest[close.upperBound...]
        }
        return values
    }

    /// XML's five named entities and numeric references.
    static func decode(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var result = ""
        var rest = text[...]
        while let amp = rest.firstIndex(of: "&") {
            result += rest[..<amp]
            guard let semicolon = rest[amp...].firstIndex(of: ";") else { result += rest[amp...]; return result }
            let entity = rest[rest.index(after: amp)..<semicolon]
            switch entity {
            case "amp": result += "&"
            case "lt": result += "<"
            case "gt": result += ">"
            case "quot": result += "\""
            case "apos": result += "'"
            default:
                let number = entity.hasPrefix("#x") ? UInt32(entity.dropFirst(2), radix: 16) : entity.hasPrefix("#") ? UInt32(entity.dropFirst()) : nil
                if let number, let scalar = Unicode.Scalar(number) { result.unicodeScalars.append(scalar) } else { result += "&\(entity);" }
            }
            rest = rest[rest.index(after: semicolon)...]
        }
        return result + rest
    }
}
