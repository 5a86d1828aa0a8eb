/// A cost book's layers, per scope in id order (the FIFO queue), kept in small chunks.
///
/// Every posting plans on a copy of the books it touches, and an item may hold thousands of open layers; chunks make
/// that copy, and changing the layer at the head of a queue, cost a few dozen pointers instead of every layer, so a
/// posting's cost does not grow with the layers it leaves alone.
public struct OpenLayers: Sendable, Hashable {
    private static let chunkSize = 64

    private var scopes: [CostScope: [[ValuationLayer]]] = [:]
    /// Layers still waiting for stock to re-cost them; few, so a receipt need not scan the queue for them.
    private var shortIDs: Set<LayerID> = []

    public init() {}

    public init(_ layers: some Sequence<ValuationLayer>) {
        for layer in layers { self[layer.id] = layer }
    }

    public var isEmpty: Bool { scopes.values.allSatisfy(\.isEmpty) }
    public var count: Int { scopes.values.reduce(0) { $0 + $1.reduce(0) { $0 + $1.count } } }

    /// Every layer, in id order.
    public var values: [ValuationLayer] {
        scopes.values.flatMap { $0.joined() }.sorted { $0.id < $1.id }
    }

    public subscript(id: LayerID) -> ValuationLayer? {
        get { locate(id).flatMap { scopes[$0.0]?[$0.1][$0.2] } }
        set {
            if let newValue, newValue.id != id { preconditionFailure("layer \(newValue.id) stored under id \(id)") }
            if let (scope, chunk, index) = locate(id) {
                var chunks = scopes.removeValue(forKey: scope) ?? []
                if let newValue, newValue.scope == scope {
                    chunks[chunk][index] = newValue
                    scopes[scope] = chunks
                    track(newValue)
                    return
                }
                chunks[chunk].remove(at: index)
                if chunks[chunk].isEmpty { chunks.remove(at: chunk) }
                if !chunks.isEmpty { scopes[scope] = chunks }
                shortIDs.remove(id)
            }
            if let newValue { insert(newValue) }
        }
    }

    private func locate(_ id: LayerID) -> (CostScope, Int, Int)? {
        for (scope, chunks) in scopes {
            if let (chunk, index) = Self.find(id, in: chunks) { return (scope, chunk, index) }
        }
        return nil
    }

    /// The layers of `scope` in queue order (all scopes merged when `scope` is nil), read lazily: taking from the
    /// head of a long queue reads only the head.
    public func queue(_ scope: CostScope?) -> AnySequence<ValuationLayer> {
        if let scope {
            return AnySequence((scopes[scope] ?? []).lazy.joined())
        }
        let queues = scopes.values.map { $0.lazy.joined() }
        return AnySequence { () -> AnyIterator<ValuationLayer> in
            var iterators = queues.map { $0.makeIterator() }
            var heads = iterators.indices.map { iterators[$0].next() }
            return AnyIterator { () -> ValuationLayer? in
                var best: Int?
                for (index, head) in heads.enumerated() {
                    guard let head else { continue }
                    if let current = best, let other = heads[current], other.id < head.id { continue }
                    best = index
                }
                guard let best, let layer = heads[best] else { return nil }
                heads[best] = iterators[best].next()
                return layer
            }
        }
    }

    /// Layers with a shortfall, in id order.
    public var short: [ValuationLayer] { shortIDs.sorted().compactMap { self[$0] } }

    /// Drops the layers among `ids` that hold nothing any more (no units left, no shortfall): what a fresh load of
    /// the book would not read.
    public mutating func removeClosed(_ ids: some Sequence<LayerID>) {
        for id in ids {
            guard let layer = self[id], layer.remainingQuantity.isZero, layer.shortQuantity.isZero else { continue }
            self[id] = nil
        }
    }

    private mutating func insert(_ layer: ValuationLayer) {
        var chunks = scopes.removeValue(forKey: layer.scope) ?? []
        defer { scopes[layer.scope] = chunks }
        track(layer)
        guard let lastChunk = chunks.indices.last, let last = chunks[lastChunk].last else {
            chunks.append([layer])
            return
        }
        if last.id < layer.id {
            if chunks[lastChunk].count < Self.chunkSize {
                chunks[lastChunk].append(layer)
            } else {
                chunks.append([layer])
            }
            return
        }
        let chunk = chunks.firstIndex { $0.last.map { layer.id < $0.id } ?? false } ?? lastChunk
        let index = chunks[chunk].firstIndex { layer.id < $0.id } ?? chunks[chunk].count
        chunks[chunk].insert(layer, at: index)
        if chunks[chunk].count > 2 * Self.chunkSize {
            let tail = Array(chunks[chunk][Self.chunkSize...])
            chunks[chunk].removeSubrange(Self.chunkSize...)
            chunks.insert(tail, at: chunk + 1)
        }
    }

    private mutating func track(_ layer: ValuationLayer) {
        if layer.shortQuantity.isPositive { shortIDs.insert(layer.id) } else { shortIDs.remove(layer.id) }
    }

    private static func find(_ id: LayerID, in chunks: [[ValuationLayer]]) -> (Int, Int)? {
        var low = 0
        var high = chunks.count
        while low < high {
            let middle = (low + high) / 2
            if let last = chunks[middle].last, last.id < id { low = middle + 1 } else { high = middle }
        }
        guard low < chunks.count else { return nil }
        let chunk = chunks[low]
        var first = 0
        var end = chunk.count
        while first < end {
            let middle = (first + end) / 2
            if chunk[middle].id < id { first = middle + 1 } else { end = middle }
        }
        guard first < chunk.count, chunk[first].id == id else { return nil }
        return (low, first)
    }

    public static func == (lhs: OpenLayers, rhs: OpenLayers) -> Bool { lhs.values == rhs.values }
    public func hash(into hasher: inout Hasher) { hasher.combine(values) }
}

extension OpenLayers: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (LayerID, ValuationLayer)...) {
        self.init(elements.map(\.1))
    }
}
