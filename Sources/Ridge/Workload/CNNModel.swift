import Foundation

/// A convolutional network as a layer chain, read from `traces/models/cnn/NAME.json`
/// (format: `docs/models.md`, "CNN definitions"). Every layer reads the previous layer's
/// output; an `add` also reads the output of the layer named by `from`.
public struct CNNModel: Sendable, Equatable {
    public var name: String
    public var source: String
    public var inputHeight: Int
    public var inputWidth: Int
    public var inputChannels: Int
    public var layers: [CNNLayer]
    /// The file the model came from (for error messages), if any.
    public var file: String?

    public init(name: String, source: String = "", inputHeight: Int, inputWidth: Int, inputChannels: Int,
                layers: [CNNLayer], file: String? = nil) {
        self.name = name; self.source = source; self.inputHeight = inputHeight; self.inputWidth = inputWidth
        self.inputChannels = inputChannels; self.layers = layers; self.file = file
    }

    /// The bundled CNN definitions directory.
    public static var directory: String { ResourceLocator.modelsDirectory + "/cnn" }
    public static var bundledNames: [String] { ResourceLocator.names(in: directory) }

    /// Loads a bundled model by name (`traces/models/cnn/NAME.json`) or a file by path.
    public static func load(_ nameOrPath: String) throws -> CNNModel {
        let isPath = nameOrPath.contains("/") || nameOrPath.hasSuffix(".json")
        let path = isPath ? nameOrPath : directory + "/\(nameOrPath).json"
        if !isPath, !FileManager.default.fileExists(atPath: path) {
            throw RidgeError(.io, file: nameOrPath, "no bundled CNN model of that name (bundled: \(bundledNames.joined(separator: ", ")))")
        }
        let fallback = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return try decode(FileIO.readJSON(path), file: path, defaultName: fallback)
    }

    /// Decodes and validates a model definition; errors name the file and the JSON path.
    public static func decode(_ value: JSONValue, file: String?, defaultName: String = "model") throws -> CNNModel {
        let r = try ObjectReader(value, path: "", file: file)
        let name = try r.string("name") ?? defaultName
        let source = try r.string("source") ?? ""
        guard let input = try r.object("input") else {
            throw r.fail("input", "missing required field: expected {\"height\": H, \"width\": W, \"channels\": C}")
        }
        func dimension(_ reader: ObjectReader, _ key: String, max: Int = 65_536) throws -> Int {
            guard let v = try reader.integer(key, in: 1...max) else {
                throw reader.fail(key, "missing required field: expected a whole number from 1 to \(max)")
            }
            return v
        }
        let height = try dimension(input, "height"), width = try dimension(input, "width")
        let channels = try dimension(input, "channels")
        try input.finish()
        guard let items = try r.array("layers") else {
            throw r.fail("layers", "missing required field: expected a list of layers")
        }
        guard !items.isEmpty else { throw r.fail("layers", "a model needs at least one layer") }
        try r.finish()

        var layers: [CNNLayer] = []
        var seen: [String: Int] = [:]
        for (i, item) in items.enumerated() {
            let l = try ObjectReader(item, path: "layers[\(i)]", file: file)
            let layerName = try l.requiredString("name")
            guard !layerName.isEmpty else { throw l.fail("name", "layer name must not be empty") }
            guard layerName != "input" else { throw l.fail("name", "\"input\" is reserved for the network input") }
            if let j = seen[layerName] { throw l.fail("name", "duplicate layer name \"\(layerName)\" (also layers[\(j)])") }
            let typeText = try l.requiredString("type")
            guard let type = CNNLayerType(rawValue: typeText) else {
                throw l.fail("type", "unknown layer type \"\(typeText)\": expected one of \(CNNLayerType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            func forbid(_ key: String, _ why: String) throws {
                if l.has(key) { throw l.fail(key, "a \(type.rawValue) layer takes no \"\(key)\" (\(why))") }
            }
            var layer = CNNLayer(name: layerName, type: type)
            switch type {
            case .conv, .pointwise, .dense:
                guard let out = try l.integer("out", in: 1...1_000_000) else {
                    throw l.fail("out", "missing required field: expected the number of output \(type == .dense ? "features" : "channels")")
                }
                layer.out = out
            default:
                try forbid("out", type == .add ? "its output has the shape of its inputs" : "channels are unchanged")
            }
            switch type {
            case .conv, .depthwise:
                guard let k = try l.integer("kernel", in: 1...63) else { throw l.fail("kernel", "missing required field: expected the square kernel size") }
                layer.kernel = k
                layer.stride = try l.integer("stride", in: 1...16) ?? 1
            case .avgpool, .maxpool:
                guard let k = try l.integer("kernel", in: 0...63) else {
                    throw l.fail("kernel", "missing required field: expected the square kernel size (0 for a global pool)")
                }
                layer.kernel = k
                layer.stride = try l.integer("stride", in: 1...16) ?? 1
            case .pointwise:
                try forbid("kernel", "it is a 1×1 convolution")
                try forbid("stride", "it is a stride-1 1×1 convolution")
                layer.kernel = 1
            case .dense, .add:
                try forbid("kernel", type == .dense ? "it reads the whole flattened input" : "it is element-wise")
                try forbid("stride", type == .dense ? "it reads the whole flattened input" : "it is element-wise")
                layer.kernel = 0
            }
            if type == .add {
                let from = try l.requiredString("from")
                guard from == "input" || seen[from] != nil else {
                    throw l.fail("from", "names \"\(from)\", which is not an earlier layer (or \"input\")")
                }
                layer.from = from
            } else {
                try forbid("from", "only add layers have a second input")
            }
            try l.finish()
            seen[layerName] = i
            layers.append(layer)
        }
        let model = CNNModel(name: name, source: source, inputHeight: height, inputWidth: width, inputChannels: channels,
                             layers: layers, file: file)
        _ = try model.shapes()
        return model
    }

    /// The same network at another (square) input resolution.
    public func resized(to resolution: Int) -> CNNModel {
        var m = self
        m.inputHeight = resolution; m.inputWidth = resolution
        return m
    }

    /// Shapes, MACs and parameters of every layer; throws (naming the file and `layers[i]`) when an
    /// `add` joins tensors of different shapes at this resolution.
    public func shapes() throws -> [CNNLayerShape] {
        var out: [CNNLayerShape] = []
        let input = CNNTensorShape(h: inputHeight, w: inputWidth, c: inputChannels)
        var index: [String: Int] = ["input": -1]
        var current = input
        for (i, l) in layers.enumerated() {
            let x = current
            var y = x
            var macs = 0, weights = 0, biases = 0
            var residual: Int?
            switch l.type {
            case .conv:
                y = CNNTensorShape(h: ceilDiv(x.h, l.stride), w: ceilDiv(x.w, l.stride), c: l.out!)
                weights = l.kernel * l.kernel * x.c * y.c; biases = y.c
                macs = y.h * y.w * y.c * l.kernel * l.kernel * x.c
            case .depthwise:
                y = CNNTensorShape(h: ceilDiv(x.h, l.stride), w: ceilDiv(x.w, l.stride), c: x.c)
                weights = l.kernel * l.kernel * x.c; biases = x.c
                macs = y.h * y.w * x.c * l.kernel * l.kernel
            case .pointwise:
                y = CNNTensorShape(h: x.h, w: x.w, c: l.out!)
                weights = x.c * y.c; biases = y.c
                macs = x.h * x.w * x.c * y.c
            case .dense:
                y = CNNTensorShape(h: 1, w: 1, c: l.out!)
                weights = x.elements * y.c; biases = y.c
                macs = x.elements * y.c
            case .avgpool, .maxpool:
                y = l.kernel == 0 ? CNNTensorShape(h: 1, w: 1, c: x.c)
                    : CNNTensorShape(h: ceilDiv(x.h, l.stride), w: ceilDiv(x.w, l.stride), c: x.c)
            case .add:
                let j = index[l.from!]!
                let other = j < 0 ? input : out[j].output
                guard other == x else {
                    throw RidgeError.data(file: file, at: "layers[\(i)].from",
                                          "add \"\(l.name)\" joins \(x) (from \(i == 0 ? "input" : layers[i - 1].name)) with \(other) (from \(l.from!)) at input \(inputHeight)×\(inputWidth): shapes must match")
                }
                residual = j
            }
            out.append(CNNLayerShape(index: i, layer: l, input: x, output: y, residual: residual, macs: macs,
                                     weights: weights, biases: biases))
            index[l.name] = i
            current = y
        }
        return out
    }

    /// Index of a layer by name (`nil` if absent; `-1` for "input").
    public func index(of name: String) -> Int? {
        name == "input" ? -1 : layers.firstIndex { $0.name == name }
    }
}

public enum CNNLayerType: String, Sendable, CaseIterable {
    case conv, depthwise, pointwise, avgpool, maxpool, dense, add
}

public struct CNNLayer: Sendable, Equatable {
    public var name: String
    public var type: CNNLayerType
    /// Output channels (conv, pointwise) or features (dense).
    public var out: Int?
    /// Square kernel: conv/depthwise/pools (0: global pool), 1 for pointwise, 0 for dense and add.
    public var kernel: Int
    public var stride: Int
    /// The residual input of an `add`: an earlier layer's name or "input".
    public var from: String?

    public init(name: String, type: CNNLayerType, out: Int? = nil, kernel: Int = 0, stride: Int = 1, from: String? = nil) {
        self.name = name; self.type = type; self.out = out; self.kernel = kernel; self.stride = stride; self.from = from
    }

    /// Whether the layer looks at a neighbourhood (so patches need a halo) rather than one pixel.
    public var isSpatial: Bool { [.conv, .depthwise, .avgpool, .maxpool].contains(type) && kernel > 0 }
    /// Whether the layer needs the whole feature map (global pool, dense): it cannot run per patch.
    public var isGlobal: Bool { type == .dense || ((type == .avgpool || type == .maxpool) && kernel == 0) }
    /// Leading ("top"/"left") zero padding of a "same" convolution, PyTorch style (`k/2` for odd k).
    public var padding: Int { kernel > 0 ? (kernel - 1) / 2 : 0 }
}

/// A height × width × channels tensor (batch 1).
public struct CNNTensorShape: Sendable, Hashable, CustomStringConvertible {
    public var h: Int, w: Int, c: Int
    public init(h: Int, w: Int, c: Int) { self.h = h; self.w = w; self.c = c }
    public var elements: Int { h * w * c }
    public var description: String { "\(h)×\(w)×\(c)" }
}

/// One layer with its shapes and costs at the model's resolution.
public struct CNNLayerShape: Sendable {
    public var index: Int
    public var layer: CNNLayer
    public var input: CNNTensorShape
    public var output: CNNTensorShape
    /// Index of the layer whose output an `add` also reads (-1: the network input).
    public var residual: Int?
    public var macs: Int
    public var weights: Int
    public var biases: Int
    public var parameters: Int { weights + biases }
}

@inline(__always) func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
