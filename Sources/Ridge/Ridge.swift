public enum Ridge { public static let version = "0.1.0" }
