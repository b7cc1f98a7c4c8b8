import XCTest
@testable import Ridge

final class FileIOTests: XCTestCase {
    /// Overwriting the same output again and again must work every time and leave only the file
    /// (FileManager.replaceItemAt failed on every second overwrite on Linux and deleted the old file).
    func testRepeatedOverwriteKeepsTheLatestContents() throws {
        let dir = TempDir()
        let path = dir.path + "/out.txt"
        for i in 0..<5 {
            try FileIO.writeAtomically("version \(i)\n", to: path)
            XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "version \(i)\n")
        }
        XCTAssertEqual(dir.contents, ["out.txt"], "no temporary file is left behind")
    }

    func testWritingIntoAMissingDirectoryIsAnIOError() {
        let dir = TempDir()
        XCTAssertThrowsError(try FileIO.writeAtomically("x", to: dir.path + "/missing/out.txt")) { e in
            XCTAssertEqual((e as? RidgeError)?.kind, .io)
        }
        XCTAssertEqual(dir.contents, [])
    }
}
