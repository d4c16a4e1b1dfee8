import Foundation
import Testing
@testable import MigrationStores

/// The worked examples of AWS's "Signature Calculations for the Authorization Header" page for
/// S3 (bucket `examplebucket`, 24 May 2013, the documentation's example keys).
@Suite("SigV4 signer")
struct SigV4SignerTests {
    let signer = SigV4Signer(
        credentials: AWSCredentials(
            accessKeyID: "AKIAIOSFODNN7EXAMPLE",
            secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", source: "test"),
        region: "us-east-1")
    let date = Date(timeIntervalSince1970: 1_369_353_600) // 2013-05-24T00:00:00Z

    private func signature(_ headers: [(String, String)]) -> String? {
        headers.first { $0.0 == "authorization" }?.1.components(separatedBy: "Signature=").last
    }

    @Test("GET object with a Range header")
    func getObject() {
        let headers = signer.signedHeaders(
            method: "GET", path: "/test.txt", query: [],
            headers: [("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9")],
            payloadHash: SigV4Signer.emptyPayloadHash, date: date)
        #expect(signature(headers) == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(headers.first { $0.0 == "authorization" }?.1.contains("SignedHeaders=host;range;x-amz-content-sha256;x-amz-date") == true)
    }

    @Test("PUT object with a body, a storage class and a `$` in the key")
    func putObject() {
        // The body is "Welcome to Amazon S3."; its SHA-256 is the documentation's.
        let headers = signer.signedHeaders(
            method: "PUT", path: "/" + SigV4Signer.uriEncode("test$file.text", slash: false), query: [],
            headers: [
                ("Host", "examplebucket.s3.amazonaws.com"), ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
                ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ],
            payloadHash: "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072", date: date)
        #expect(signature(headers) == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test("GET bucket (list objects) with query parameters")
    func listObjects() {
        let headers = signer.signedHeaders(
            method: "GET", path: "/", query: [("prefix", "J"), ("max-keys", "2")],
            headers: [("Host", "examplebucket.s3.amazonaws.com")],
            payloadHash: SigV4Signer.emptyPayloadHash, date: date)
        #expect(signature(headers) == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test("a changed secret, region or path changes the signature (the check can fail)")
    func sensitivity() {
        let base = signature(
            signer.signedHeaders(
                method: "GET", path: "/test.txt", query: [], headers: [("Host", "examplebucket.s3.amazonaws.com")],
                payloadHash: SigV4Signer.emptyPayloadHash, date: date))
        let otherRegion = SigV4Signer(credentials: signer.credentials, region: "eu-west-1")
        let other = signature(
            otherRegion.signedHeaders(
                method: "GET", path: "/test.txt", query: [], headers: [("Host", "examplebucket.s3.amazonaws.com")],
                payloadHash: SigV4Signer.emptyPayloadHash, date: date))
        let otherPath = signature(
            signer.signedHeaders(
                method: "GET", path: "/test.txT", query: [], headers: [("Host", "examplebucket.s3.amazonaws.com")],
                payloadHash: SigV4Signer.emptyPayloadHash, date: date))
        #expect(base != other && base != otherPath)
    }

    @Test("the description of credentials never shows the secret")
    func noSecretInDescription() {
        #expect(!"\(signer.credentials)".contains("EXAMPLEKEY"))
        #expect("\(signer.credentials)".contains("…MPLE"))
    }
}
