using System.Diagnostics;
using System.Security.Cryptography;
using System.Xml;
using Acs.Core.Login;
using Acs.Core.Saml.Bindings;
using Acs.Core.Saml.Encryption;
using Acs.Core.Saml.Metadata;
using Acs.Core.Saml.Signatures;
using Acs.Core.Saml.Validation;
using Acs.Core.Saml.Xml;
using Acs.Testing.TestIdp;
using Microsoft.Extensions.Time.Testing;

namespace Acs.Tests.Core.Saml.Encryption;

/// <summary>
/// No padding oracle: every secret-dependent decryption failure (a key wrapped for someone else, OAEP, the content
/// key's length, CBC padding, the GCM tag, plaintext that does not parse) gives the browser the same code, hint and
/// HTTP class, does the same cryptographic work, and takes the same time class.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class DecryptionOracleTests : EncryptedAssertionTestBase
{
    private static readonly (string Name, bool Gcm, Action<XmlDocument> Fault)[] Faults =
    [
        ("wrapped for another key", false, d => WrappedKeyCipherValue(d).InnerText = Convert.ToBase64String(WrappedForAnotherKey())),
        ("wrapped key bit flip", false, d => FlipBit(WrappedKeyCipherValue(d), 10)),
        ("content key of the wrong length", false, d => WrappedKeyCipherValue(d).InnerText = Convert.ToBase64String(
            TestEncryptor.Wrap(TestSpKeys.Default.Rsa, RandomNumberGenerator.GetBytes(16), new EncryptionOptions()))),
        // The last plaintext byte counts the padding (1–16); flipping its top bit makes it 129–144.
        ("CBC padding", false, d => FlipBit(ContentCipherValue(d), -17, 7)),
        ("CBC plaintext garbled", false, d => FlipBit(ContentCipherValue(d), 40, 6)),
        ("CBC length", false, d => ContentCipherValue(d).InnerText = Convert.ToBase64String(Convert.FromBase64String(ContentCipherValue(d).InnerText)[..^3])),
        ("GCM tag", true, d => FlipBit(ContentCipherValue(d), -1)),
        ("GCM ciphertext", true, d => FlipBit(ContentCipherValue(d), 30)),
    ];

    private static IEnumerable<TestCaseData> FaultCases() =>
        Faults.Select(f => new TestCaseData(f.Name).SetName($"Validate_WithDecryptionFault_GivesTheBrowserTheSameAnswer({f.Name})"));

    [TestCaseSource(nameof(FaultCases))]
    public void Validate_WithDecryptionFault_GivesTheBrowserTheSameAnswer(string name)
    {
        var result = ValidateEncrypted(Faulty(name));

        AssertRefused(result, SamlErrorCodes.AssertionDecryptionFailed);
        Assert.That(result.Failure!.Message, Does.StartWith(AssertionDecryption.Message), "the operator's message names the reason after a fixed prefix");
        // What the browser gets is derived from the code alone: the same page for every fault.
        Assert.That(LoginErrorHints.KindOf(result.Failure.Code), Is.EqualTo(LoginFailureKind.Refused));
        Assert.That(LoginErrorHints.HintFor(result.Failure.Code), Is.Not.Null);
    }

    [TestCase("wrapped for another key")]
    [TestCase("wrapped key bit flip")]
    [TestCase("content key of the wrong length")]
    [TestCase("CBC padding")]
    [TestCase("GCM tag")]
    public void Decrypt_WithFault_DoesTheSameWorkAsASuccess(string name)
    {
        var genuine = Parts(Faults.Single(f => f.Name == name).Gcm ? Build(gcm: true) : Build(gcm: false));
        var faulty = Parts(Faulty(name));

        var success = AssertionDecryption.Decrypt(genuine, [TestSpKeys.Default.DecryptionKey]);
        var failure = AssertionDecryption.Decrypt(faulty, [TestSpKeys.Default.DecryptionKey]);

        Assert.That(success.Plaintext, Is.Not.Null, success.FailureReason);
        Assert.That(failure.Plaintext, Is.Null);
        Assert.That(failure.RsaOperations, Is.EqualTo(success.RsaOperations), "one RSA decryption either way");
        Assert.That(failure.ContentDecryptionRan, Is.True, "the content is decrypted even when the key did not unwrap");
    }

    [Test]
    public void Decrypt_WithContentKeyNotUnwrapped_NeverReturnsPlaintextEvenIfTheRandomKeyPads()
    {
        // A random content key yields valid CBC padding about one time in sixteen; the result must still be a failure.
        var faulty = Parts(Faulty("wrapped key bit flip"));
        for (var i = 0; i < 64; i++)
        {
            var outcome = AssertionDecryption.Decrypt(faulty, [TestSpKeys.Default.DecryptionKey]);
            Assert.That(outcome.Plaintext, Is.Null);
            Assert.That(outcome.FailureReason, Does.Contain("RSA-OAEP unwrapping"));
        }
    }

    [Test]
    public void Validate_WithEachSecretDependentFault_TakesTheSameTimeClass()
    {
        var validator = new SamlResponseValidator(new FakeTimeProvider(TestResponseBuilder.Now));
        var settings = EncryptedResponses.Settings();
        var cases = new[] { "wrapped for another key", "wrapped key bit flip", "content key of the wrong length", "CBC padding", "CBC plaintext garbled", "GCM tag" }
            .Select(name => (Name: name, Bytes: Bytes(Faulty(name))))
            .Append((Name: "(success)", Bytes: Bytes(Build(gcm: false))))
            .ToList();

        // Round robin, so that load on the machine shifts every case alike.
        var samples = cases.ToDictionary(c => c.Name, _ => new List<double>());
        for (var round = 0; round < 60; round++)
        {
            foreach (var (name, bytes) in cases)
            {
                var started = Stopwatch.GetTimestamp();
                validator.ValidateXml(bytes, settings);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (round > 0)
                {
                    samples[name].Add(elapsed);
                }
            }
        }

        // The fastest run of each case is its own cost with the least interference from the (shared, busy) machine.
        var fastest = samples.ToDictionary(s => s.Key, s => s.Value.Min());
        TestContext.Out.WriteLine("fastest / median ms: " + string.Join("; ",
            samples.Select(s => $"{s.Key} {fastest[s.Key]:F2} / {s.Value.Order().ElementAt(s.Value.Count / 2):F2}")));
        var faults = fastest.Where(m => m.Key != "(success)").Select(m => m.Value).ToList();
        // One RSA-3072 decryption dominates every path; the rest differs by AES over a few kilobytes and a failed parse.
        Assert.That(faults.Max() / faults.Min(), Is.LessThan(1.5), "the faults' times differ by half or more");
    }

    /// <summary>
    /// A content key wrapped for another tenant's key, as a number below our modulus. A ciphertext at or above the
    /// modulus is refused before any exponentiation, but that says nothing secret: the modulus is public, and such a
    /// value (about half of another key's ciphertexts) could never be a wrap for us.
    /// </summary>
    private static byte[] WrappedForAnotherKey()
    {
        var modulus = TestSpKeys.Default.Rsa.ExportParameters(false).Modulus!;
        while (true)
        {
            var wrapped = TestEncryptor.Wrap(TestSpKeys.OtherTenantSized3072.Rsa, RandomNumberGenerator.GetBytes(32), new EncryptionOptions());
            if (wrapped.AsSpan().SequenceCompareTo(modulus) < 0)
            {
                return wrapped;
            }
        }
    }

    private static XmlDocument Build(bool gcm) =>
        EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Assertion, options: gcm ? EncryptionOptions.Gcm : new EncryptionOptions());

    private static XmlDocument Faulty(string name)
    {
        var fault = Faults.Single(f => f.Name == name);
        var document = Build(fault.Gcm);
        fault.Fault(document);
        return document;
    }

    private static EncryptedAssertionParts Parts(XmlDocument document)
    {
        var reparsed = SafeXml.Load(Bytes(document));
        var failure = EncryptedAssertionReader.Read(EncryptedAssertion(reparsed), EncryptedResponses.Settings(), out var parts);
        Assert.That(failure, Is.Null, failure?.Message);
        return parts!;
    }
}
