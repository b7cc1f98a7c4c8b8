import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Ridge

/// An SVG parsed into elements that remember the CSS classes of their ancestors and their
/// `<title>`, so tests can count e.g. the circles inside the `points` group.
final class SVGTree: NSObject, XMLParserDelegate {
    struct Element {
        var name: String
        var attributes: [String: String]
        /// `class` attributes of the ancestors, outermost first.
        var classes: [String]
        var title: String?
        var text: String
    }

    private(set) var elements: [Element] = []
    private var stack: [Int] = []

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        var classes = stack.last.map { elements[$0].classes } ?? []
        if let c = stack.last.flatMap({ elements[$0].attributes["class"] }) { classes.append(c) }
        elements.append(Element(name: name, attributes: attributes, classes: classes, title: nil, text: ""))
        stack.append(elements.count - 1)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let i = stack.last { elements[i].text += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        guard let i = stack.popLast() else { return }
        if name == "title", let parent = stack.last { elements[parent].title = elements[i].text }
    }

    /// Nil when the text is not well-formed XML.
    static func parse(_ svg: String) -> SVGTree? {
        let parser = XMLParser(data: Data(svg.utf8))
        let tree = SVGTree()
        parser.delegate = tree
        return parser.parse() ? tree : nil
    }

    /// Elements named `name` inside a group of class `cssClass`.
    func elements(_ name: String, in cssClass: String) -> [Element] {
        elements.filter { $0.name == name && $0.classes.contains { $0.split(separator: " ").contains(Substring(cssClass)) } }
    }

    /// Texts of every `<text>` element.
    var texts: [String] { elements.filter { $0.name == "text" }.map(\.text) }
}

/// Runs a command in-process, failing the test on an error.
@discardableResult
func ridge(_ args: [String]) throws -> String {
    try RidgeCLI.run(args).stdout
}
