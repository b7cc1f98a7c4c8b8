import Foundation

/// Output of a command run: what goes to stdout, and the exit code.
public struct CommandOutput {
    public var stdout: String
    public var exitCode: Int32
    public init(_ stdout: String, exitCode: Int32 = 0) { self.stdout = stdout; self.exitCode = exitCode }
}

/// The `ridge` command line. `main.swift` only calls `RidgeCLI.main()`; everything here is
/// testable in-process through `run(_:)`.
public enum RidgeCLI {
    public static let usage = """
    usage: ridge <command> [options]

    commands:
      simulate    replay an operator trace (or a generated LLM trace) on a hardware profile
      cost        cost of one operator (gemm, attention) on a profile
      profiles    list the bundled hardware profiles
      trace       generate operator traces (trace llm, trace cnn, trace import)
      validate    compare predictions with measured kernels (Kineto trace or CSV)
      calibrate   fit a profile's efficiency parameters to measurements
      accuracy    the accuracy tables: profiles against every measured dataset
      sweep       run a grid of profile and workload variations
      plot        draw SVG charts (roofline, timeline, sweep)
      report      write a self-contained HTML report

    Run `ridge <command> --help` for a command's options. Ridge's own speed is measured by the
    separate `ridge-bench` executable (`swift run -c release ridge-bench`).
    Exit codes: 0 ok, 64 usage error, 65 bad input data, 66 unreadable or unwritable file.
    """

    public typealias Command = @Sendable ([String]) throws -> CommandOutput

    /// Registered commands; each file in `CLI/` adds its own.
    nonisolated(unsafe) static var commands: [String: Command] = [
        "accuracy": AccuracyCommand.run,
        "calibrate": CalibrateCommand.run,
        "cost": CostCommand.run,
        "plot": PlotCommand.run,
        "profiles": ProfilesCommand.run,
        "report": ReportCommand.run,
        "simulate": SimulateCommand.run,
        "sweep": SweepCommand.run,
        "trace": TraceCommand.run,
        "validate": ValidateCommand.run,
    ]

    /// `ridge trace <generator>` generators other than `llm`.
    nonisolated(unsafe) static var traceGenerators: [String: Command] = [
        "cnn": TraceCNNCommand.run,
        "import": TraceImportCommand.run,
    ]

    /// Runs a command line (without the program name) and returns its output or throws a `RidgeError`.
    public static func run(_ args: [String]) throws -> CommandOutput {
        guard let name = args.first else { throw RidgeError.usage(usage) }
        if name == "--help" || name == "-h" || name == "help" { return CommandOutput(usage + "\n") }
        if name == "--version" { return CommandOutput("ridge 0.1.0\n") }
        guard let command = commands[name] else { throw RidgeError.usage("unknown command \"\(name)\"\n\n\(usage)") }
        return try command(Array(args.dropFirst()))
    }

    /// Entry point for the executable: prints output or the error, and exits with its code.
    public static func main() -> Never {
        let args = Array(CommandLine.arguments.dropFirst())
        do {
            let output = try run(args)
            FileHandle.standardOutput.write(Data(output.stdout.utf8))
            exit(output.exitCode)
        } catch let error as RidgeError {
            FileHandle.standardError.write(Data("ridge: \(error.description)\n".utf8))
            exit(error.kind.exitCode)
        } catch {
            FileHandle.standardError.write(Data("ridge: \(error)\n".utf8))
            exit(70)
        }
    }
}
