/// Bytes allocated in each memory tier over time, with the peak, and the tensor-level state the
/// spill policies act on. Tensors are allocated at their first write (or at time zero when
/// resident), resized by writes that give a size (the growing KV cache), and released by `frees`.
struct MemoryTracker {
    var current: [Double]
    var peak: [Double]
    var capacity: [Double]
    /// Per tensor: bytes, memory index where it lives now (-1: not allocated), home memory index.
    var tensorBytes: [Double] = []
    var tensorLocation: [Int32] = []
    var tensorHome: [Int32] = []
    var tensorKind: [TensorKind] = []
    var tensorResident: [Bool] = []
    /// Samples of (time, memory, bytes) for plots, when recording.
    var samples: [(time: Double, memory: Int32, bytes: Double)] = []
    var recordSamples = false

    init(profile: HardwareProfile, capacityOverrides: [String: Double]) {
        current = Array(repeating: 0, count: profile.memories.count)
        peak = current
        capacity = profile.memories.map { capacityOverrides[$0.id] ?? $0.capacity }
    }

    mutating func addTensor(_ t: TensorInfo, home: Int32) {
        tensorBytes.append(t.bytes)
        tensorLocation.append(-1)
        tensorHome.append(home)
        tensorKind.append(t.kind)
        tensorResident.append(t.resident)
    }

    mutating func allocate(_ tensor: Int, bytes: Double, at time: Double) {
        let loc = tensorLocation[tensor]
        if loc >= 0 {
            change(Int(loc), by: bytes - tensorBytes[tensor], at: time)
        } else {
            let home = tensorHome[tensor]
            tensorLocation[tensor] = home
            change(Int(home), by: bytes, at: time)
        }
        tensorBytes[tensor] = bytes
    }

    mutating func free(_ tensor: Int, at time: Double) {
        let loc = tensorLocation[tensor]
        guard loc >= 0 else { return }
        change(Int(loc), by: -tensorBytes[tensor], at: time)
        tensorLocation[tensor] = -1
    }

    mutating func move(_ tensor: Int, to memory: Int32, at time: Double) {
        let loc = tensorLocation[tensor]
        guard loc >= 0, loc != memory else { return }
        change(Int(loc), by: -tensorBytes[tensor], at: time)
        change(Int(memory), by: tensorBytes[tensor], at: time)
        tensorLocation[tensor] = memory
    }

    mutating func change(_ memory: Int, by delta: Double, at time: Double) {
        current[memory] += delta
        if current[memory] > peak[memory] { peak[memory] = current[memory] }
        if recordSamples { samples.append((time, Int32(memory), current[memory])) }
    }
}
