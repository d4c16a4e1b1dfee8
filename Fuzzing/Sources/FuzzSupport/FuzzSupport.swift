import CFuzzDriver
import Foundation

/// Checks a property a fuzz target promises. A broken property prints what broke and aborts,
/// which libFuzzer reports as a crash and saves the input as `crash-<sha1>`.
public func fuzzRequire(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
    file: StaticString = #fileID, line: UInt = #line
) {
    guard !condition() else { return }
    FileHandle.standardError.write(Data("fuzz property broken at \(file):\(line): \(message())\n".utf8))
    abort()
}

/// The fuzz input as an array (libFuzzer passes a pointer and a length, the pointer may be
/// anything when the length is 0).
public func fuzzBytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
    size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
}

/// Runs libFuzzer's driver with `callback` as the target, for a fuzz target's `main`: SwiftPM
/// links an executable target's `<Module>_main` as `main`, so each target defines that symbol
/// and calls this (flags and corpus folders are libFuzzer's, from the command line).
public func runFuzzer(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt {
    var count = argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&count, &arguments, callback)
}
