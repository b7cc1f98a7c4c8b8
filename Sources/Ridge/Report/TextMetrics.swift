// Approximate text measurement for layout (no font access at render time).

/// Estimates the rendered width of text in a generic sans-serif font, for laying out margins,
/// legends and label thinning. Deliberately slightly generous.
enum TextMetrics {
    static func width(_ text: String, fontSize: Double) -> Double {
        var em = 0.0
        for ch in text {
            switch ch {
            case " ": em += 0.28
            case "i", "j", "l", "I", ".", ",", ":", ";", "'", "|", "!": em += 0.28
            case "(", ")", "[", "]", "{", "}", "f", "t", "r", "/", "-": em += 0.36
            case "m", "w", "M", "W", "@", "%": em += 0.86
            case "0"..."9": em += 0.62
            case "A"..."Z": em += 0.70
            case "a"..."z": em += 0.58
            default: em += ch.isASCII ? 0.62 : 0.66
            }
        }
        return em * fontSize
    }

    /// Truncates `text` with an ellipsis so it fits in `maxWidth`.
    static func truncate(_ text: String, fontSize: Double, maxWidth: Double) -> String {
        if width(text, fontSize: fontSize) <= maxWidth { return text }
        var chars = Array(text)
        while !chars.isEmpty && width(String(chars) + "…", fontSize: fontSize) > maxWidth {
            chars.removeLast()
        }
        return String(chars) + "…"
    }
}
