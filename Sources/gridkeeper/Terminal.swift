import Foundation
import GridKeeper

/// Where the CLI writes: answers to stdout, messages to stderr.
enum Terminal {
    /// Messages can quote input; a hostile file must not flood the terminal.
    static func error(_ message: String) {
        let text = message.count > 2000 ? message.prefix(2000) + "… (\(message.count - 2000) more characters)" : Substring(message)
        FileHandle.standardError.write(Data("gridkeeper: error: \(text)\n".utf8))
    }

    static func note(_ message: String) {
        FileHandle.standardError.write(Data("gridkeeper: \(message)\n".utf8))
    }

    /// A command's summary: on stdout, or on stderr when `out` (its output path) is stdout.
    static func summary(_ text: String, out: String) {
        if OutputFile.isStandardOutput(out) { FileHandle.standardError.write(Data(text.utf8)) } else { print(text, terminator: "") }
    }

    /// Writes one line to stdout unbuffered, so a process at the other end of a pipe gets it at once.
    static func answerLine(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
}
