import XCTest
@testable import Ridge

final class MicrobenchmarkCSVTests: XCTestCase {
    func testReadsEveryKindWithDefaultsAndIgnoresUnknownColumns() throws {
        let dir = TempDir()
        let path = dir.file("bench.csv", """
        name,kind,m,n,k,batch,heads,kv_heads,query_length,key_length,head_dim,causal,algorithm,pass,elements,bytes_per_element,flops_per_element,tokens,hidden,dtype,seconds,gpu_clock
        qkv,gemm,512,12288,4096,,,,,,,,,,,,,,,bf16,0.00031,1410
        ,attention,,,,4,32,8,2048,,128,true,flash,forward,,,,,,fp16,0.0021,1410
        ,decode_attention,,,,8,32,8,,4096,128,,,,,,,,,bf16,0.00005,
        ,elementwise,,,,,,,,,,,,,1048576,6,1,,,bf16,0.000012,
        ,embedding,,,,,,,,,,,,,,,,512,4096,bf16,0.000008,

        """)
        let rows = try MeasuredData.load(path)
        XCTAssertEqual(rows.map(\.kind), ["gemm", "attention", "decode_attention", "elementwise", "embedding"])
        XCTAssertEqual(rows[0].name, "qkv")
        XCTAssertEqual(rows[0].shape, .gemm(GEMM(m: 512, n: 12288, k: 4096, precision: .bf16)))
        XCTAssertEqual(rows[1].shape, .attention(Attention(batch: 4, heads: 32, kvHeads: 8, queryLength: 2048, keyLength: 2048,
                                                          headDim: 128, causal: true, algorithm: .flash, pass: .forward, precision: .fp16)))
        XCTAssertEqual(rows[2].shape, .decodeAttention(DecodeAttention(batch: 8, heads: 32, kvHeads: 8, queryLength: 1, keyLength: 4096,
                                                                       headDim: 128, precision: .bf16)))
        XCTAssertEqual(rows[1].seconds, 0.0021)
        XCTAssertTrue(rows[3].origin.hasSuffix("bench.csv:5"))
    }

    func testErrorsNameLineColumnAndReason() {
        let dir = TempDir()
        let cases: [(String, String, String)] = [
            ("kind,dtype,seconds,m,n,k\ngemm,bf16,0.1,4,4\n", "line 2, column k", "missing value"),
            ("kind,dtype,seconds,m,n,k\ngemm,bf17,0.1,4,4,4\n", "line 2, column dtype", "unknown precision"),
            ("kind,dtype,seconds,m,n,k\nconv2d,bf16,0.1,4,4,4\n", "line 2, column kind", "unknown kind"),
            ("kind,dtype,seconds,m,n,k\ngemm,bf16,-1,4,4,4\n", "line 2, column seconds", "greater than zero"),
            ("kind,dtype,seconds,m,n,k\ngemm,bf16,nan,4,4,4\n", "line 2, column seconds", "finite"),
            ("kind,dtype,seconds,m,n,k\ngemm,bf16,0.1,4.5,4,4\n", "line 2, column m", "whole number"),
            ("kind,seconds,m,n,k\ngemm,0.1,4,4,4\n", "line 1", "missing column dtype"),
            ("a,b\n1,2\n", "line 1", "unrecognised measured file"),
        ]
        for (i, (text, location, reason)) in cases.enumerated() {
            let path = dir.file("bad\(i).csv", text)
            do { _ = try MeasuredData.load(path); XCTFail("case \(i) accepted") } catch let e as RidgeError {
                XCTAssertEqual(e.kind, .data, "case \(i)")
                XCTAssertEqual(e.file, path, "case \(i)")
                XCTAssertEqual(e.location, location, "case \(i): \(e)")
                XCTAssertTrue(e.message.contains(reason), "case \(i): \(e.message)")
            } catch { XCTFail("case \(i): \(error)") }
        }
        XCTAssertEqual((try? MeasuredData.load(dir.path + "/missing.csv")) == nil, true)
    }
}
