import Foundation

/// A PyTorch execution trace (`torch.profiler.ExecutionTraceObserver`, schema 1.x): the operators a
/// program ran, with their arguments' shapes and dtypes and the call tree, but no timings.
///
/// `{"schema": "1.0.1", "pid", "time", "start_ts", "finish_ts", "nodes": [...]}`; each node has `id`,
/// `name`, `parent`, `rf_id` (joins Kineto's `Record function id`), `tid`, `op_schema`, `inputs`,
/// `input_shapes`, `input_types`, `outputs`, `output_shapes`, `output_types`. A tensor argument is
/// typed `Tensor(<dtype>)`; its `inputs` entry is `[tensor_id, storage_id, offset, numel,
/// elem_bytes, device]`. Reference: `../shared/reference/trace-formats.md` §2.8.
///
/// Operators are shaped by `ATenShapes` like a Kineto trace's, at the outermost node Ridge can
/// shape (`aten::rand` rather than its `aten::empty` and `aten::uniform_`). Without timings an
/// execution trace cannot be validated; it can be costed and simulated (`trace()`).
public struct ExecutionTrace: Sendable {
    public struct Node: Sendable {
        public var id: Int64
        public var name: String
        public var parent: Int64?
        public var recordFunctionID: Int64?
        public var arguments: [OpArgument]
        public var outputs: [OpArgument]
        /// Devices of the tensors it reads or writes (`cuda:0`, `cpu`).
        public var devices: [String]
        /// Position in the file's `nodes` array.
        public var index: Int
    }

    /// A node Ridge costs.
    public struct Operator: Sendable {
        public var node: Int
        public var shape: OperatorShape
        /// True when its tensors are on a GPU (`cuda`); CPU operators are listed, not simulated on the GPU.
        public var onGPU: Bool
    }

    public var file: String?
    public var schema: String
    public var nodes: [Node]

    /// Operators that launch no kernels (views, allocation, metadata), so a leaf of this kind is not "unknown".
    public static let noWork: Set<String> = [
        "aten::empty", "aten::empty_strided", "aten::empty_like", "aten::view", "aten::reshape", "aten::_reshape_alias",
        "aten::as_strided", "aten::t", "aten::transpose", "aten::permute", "aten::expand", "aten::expand_as", "aten::detach",
        "aten::detach_", "aten::alias", "aten::unsqueeze", "aten::squeeze", "aten::select", "aten::slice", "aten::split",
        "aten::chunk", "aten::flatten", "aten::unflatten", "aten::lift_fresh", "aten::resize_", "aten::set_", "aten::to",
        "aten::_unsafe_view", "aten::unbind", "aten::narrow", "aten::numpy_T", "aten::contiguous", "aten::item",
        "aten::_local_scalar_dense", "aten::is_nonzero", "aten::_has_compatible_shallow_copy_type", "aten::record_stream",
        "detach",
    ]

    /// True when `value` looks like an execution trace: an object with `nodes` and `schema`.
    public static func looksLikeExecutionTrace(_ value: JSONValue) -> Bool {
        guard case .object(let o) = value else { return false }
        return o["nodes"]?.arrayValue != nil && o["schema"] != nil
    }

    public static func load(_ path: String) throws -> ExecutionTrace {
        try parse(MeasuredData.readJSON(path).value, file: path)
    }

    public static func parse(_ value: JSONValue, file: String?) throws -> ExecutionTrace {
        let top = try ObjectReader(value, path: "", file: file)
        guard let nodeValues = try top.array("nodes") else { throw top.fail("nodes", "missing required field: expected the array of nodes") }
        let schema: String
        switch top.raw("schema") {
        case .string(let s)?: schema = s
        case let v?: schema = KinetoTrace.describe(v)
        case nil: throw top.fail("schema", "missing required field: expected the schema version")
        }
        var nodes: [Node] = []
        nodes.reserveCapacity(nodeValues.count)
        var seen: Set<Int64> = []
        for (i, v) in nodeValues.enumerated() {
            let r = try ObjectReader(v, path: "nodes[\(i)]", file: file)
            guard let name = try r.string("name") else { throw r.fail("name", "missing required field: expected the operator name") }
            guard let idValue = r.raw("id") else { throw r.fail("id", "missing required field: expected the node id") }
            guard let id = KinetoTrace.wholeNumber(idValue) else { throw r.fail("id", "expected a whole number, found \(KinetoTrace.describe(idValue))") }
            guard seen.insert(id).inserted else { throw r.fail("id", "duplicate node id \(id)") }
            func optionalID(_ key: String) throws -> Int64? {
                guard let v = r.raw(key) else { return nil }
                guard let n = KinetoTrace.wholeNumber(v) else { throw r.fail(key, "expected a whole number, found \(KinetoTrace.describe(v))") }
                return n
            }
            let parent = try optionalID("parent")
            let rf = try optionalID("rf_id")
            var devices: [String] = []
            let inputs = try arguments(r, values: "inputs", shapes: "input_shapes", types: "input_types", devices: &devices)
            let outputs = try arguments(r, values: "outputs", shapes: "output_shapes", types: "output_types", devices: &devices)
            nodes.append(Node(id: id, name: name, parent: parent == id ? nil : parent, recordFunctionID: rf,
                              arguments: inputs, outputs: outputs, devices: devices, index: i))
        }
        return ExecutionTrace(file: file, schema: schema, nodes: nodes)
    }

    /// Zips a node's values, shapes and types into arguments.
    static func arguments(_ r: ObjectReader, values: String, shapes: String, types: String, devices: inout [String]) throws -> [OpArgument] {
        let typeList = try r.array(types) ?? []
        let shapeList = try r.array(shapes) ?? []
        let valueList = try r.array(values) ?? []
        var out: [OpArgument] = []
        for (j, t) in typeList.enumerated() {
            guard case .string(let type) = t else { throw r.fail(types, "expected a list of type names, found \(t.typeName) at [\(j)]") }
            let value = j < valueList.count ? valueList[j] : .null
            guard type.hasPrefix("Tensor(") else {
                out.append(OpArgument(dims: nil, dtype: type, value: text(value)))
                continue
            }
            let path = r.child(shapes) + "[\(j)]"
            guard j < shapeList.count, case .array(let dims) = shapeList[j] else {
                throw RidgeError.data(file: r.file, at: path, "missing the shape of tensor argument \(j)")
            }
            var shape: [Int] = []
            for (k, d) in dims.enumerated() {
                guard let n = KinetoTrace.wholeNumber(d), n >= 0, n <= 1 << 48 else {
                    throw RidgeError.data(file: r.file, at: path + "[\(k)]", "expected a dimension (a whole number from 0 to 2^48), found \(KinetoTrace.describe(d))")
                }
                shape.append(Int(n))
            }
            if case .array(let encoded) = value, encoded.count >= 6, case .string(let device) = encoded[5], !devices.contains(device) {
                devices.append(device)
            }
            out.append(OpArgument(dims: shape, dtype: type, value: ""))
        }
        return out
    }

    /// A non-tensor argument's value as text, as Kineto's `Concrete Inputs` would show it.
    static func text(_ v: JSONValue) -> String {
        switch v {
        case .bool(let b): return b ? "True" : "False"
        case .string(let s): return s
        case .null: return ""
        default: return JSONWriter.write(v, pretty: false)
        }
    }

    // MARK: - Operators

    /// The costed operators: nodes with a shape and no shaped ancestor, in node-id order (the order
    /// the observer entered them, which is program order).
    public var operators: [Operator] {
        let byID = Dictionary(nodes.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        var shapes: [OperatorShape?] = nodes.map { ATenShapes.shape(op: $0.name, $0.arguments, outputs: $0.outputs) }
        var out: [Operator] = []
        for i in nodes.indices.sorted(by: { nodes[$0].id < nodes[$1].id }) {
            guard let s = shapes[i] else { continue }
            if ancestors(of: i, byID).contains(where: { shapes[$0] != nil }) { continue }
            out.append(Operator(node: i, shape: s, onGPU: nodes[i].devices.contains { $0.hasPrefix("cuda") }))
        }
        shapes.removeAll()
        return out
    }

    /// Leaf operators (`aten::…` with no children) that are neither costed, covered by a costed
    /// ancestor, nor known to do no work: what the mapping does not know.
    public var unknownOperators: [Node] {
        let byID = Dictionary(nodes.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        var hasChild = Set<Int64>()
        for n in nodes { if let p = n.parent { hasChild.insert(p) } }
        let shaped = nodes.map { ATenShapes.shape(op: $0.name, $0.arguments, outputs: $0.outputs) != nil }
        return nodes.indices.filter { i in
            let n = nodes[i]
            guard n.name.hasPrefix("aten::"), !hasChild.contains(n.id), !shaped[i], !Self.noWork.contains(n.name) else { return false }
            return !ancestors(of: i, byID).contains { shaped[$0] }
        }.map { nodes[$0] }
    }

    func ancestors(of i: Int, _ byID: [Int64: Int]) -> [Int] {
        var out: [Int] = []
        var current = nodes[i].parent.flatMap { byID[$0] }
        while let c = current, out.count < nodes.count {
            out.append(c)
            current = nodes[c].parent.flatMap { byID[$0] }
        }
        return out
    }

    /// A Ridge trace of the GPU operators, in program order on one stream.
    public func trace(engine: String = "") -> Trace {
        let name = file.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "execution trace"
        var header = TraceHeader(name: name)
        header.metadata["source"] = .string("pytorch execution trace")
        let ops = operators.filter(\.onGPU).map { TraceOp(name: "\(nodes[$0.node].name)@nodes[\(nodes[$0.node].index)]", shape: $0.shape, engine: engine) }
        return Trace(header: header, ops: ops)
    }
}
