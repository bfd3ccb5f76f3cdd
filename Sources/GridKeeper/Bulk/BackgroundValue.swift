import Foundation

/// A value computed on another thread while the caller does something else; `value` waits
/// for it. For independent start-up work, e.g. scanning the input while the layers load.
final class BackgroundValue<T>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    // Written once by the worker before `done` is signalled, read only after waiting on it.
    private var result: T?

    init(_ body: @escaping @Sendable () -> T) {
        DispatchQueue.global().async {
            self.result = body()
            self.done.signal()
        }
    }

    var value: T {
        // Waiting (then passing the signal on for the next read) orders the read after the write.
        done.wait()
        defer { done.signal() }
        return result!
    }
}
