import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Parses `xml` with Foundation's XMLParser and counts elements by name.
final class XMLCheck: NSObject, XMLParserDelegate {
    var counts: [String: Int] = [:]
    var texts: [String] = []
    private var stack: [String] = []

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        counts[elementName, default: 0] += 1
        stack.append("")
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if !stack.isEmpty { stack[stack.count - 1] += string }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?) {
        let text = stack.popLast() ?? ""
        if elementName == "text" || elementName == "title" {
            texts.append(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    /// Returns nil when the document is not well-formed XML.
    static func parse(_ xml: String) -> XMLCheck? {
        let parser = XMLParser(data: Data(xml.utf8))
        let check = XMLCheck()
        parser.delegate = check
        return parser.parse() ? check : nil
    }
}
