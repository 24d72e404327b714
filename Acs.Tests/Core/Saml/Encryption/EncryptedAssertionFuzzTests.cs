using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Xml;
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
/// Time-bounded fuzz of the encrypted path: random mutations of the EncryptedAssertion's structure, algorithms,
/// ciphertext and wrapped key, and of the plaintext under a valid encryption. Every validation must return a result
/// (never throw, never an "Unexpected" failure, never hang: each one runs under a watchdog), and an accepted mutation
/// must read exactly the genuine assertion.
/// </summary>
[TestFixture]
[NonParallelizable]
[Category("Slow")]
public sealed class EncryptedAssertionFuzzTests : EncryptedAssertionTestBase
{
    private const int Iterations = 3_000;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(12);
    private static readonly TimeSpan Watchdog = TimeSpan.FromSeconds(5);

    private static readonly string[] AlgorithmUris =
    [
        XmlEncConstants.Aes128Cbc, XmlEncConstants.Aes192Cbc, XmlEncConstants.Aes256Cbc, XmlEncConstants.Aes128Gcm, XmlEncConstants.Aes256Gcm,
        XmlEncConstants.RsaOaepMgf1P, XmlEncConstants.RsaOaep, XmlEncConstants.Rsa15, "http://www.w3.org/2001/04/xmlenc#tripledes-cbc",
        "http://www.w3.org/2001/04/xmlenc#kw-aes256", "", "urn:x", XmlEncConstants.TypeElement, "http://www.w3.org/2001/04/xmlenc#Content",
    ];

    [TestCase(SignMode.Assertion, false, 20260401)]
    [TestCase(SignMode.Response, false, 20260402)]
    [TestCase(SignMode.Both, true, 20260403)]
    [TestCase(SignMode.Assertion, true, 20260404)]
    public void Validate_WithRandomMutationsOfAnEncryptedResponse_NeverThrowsHangsOrAcceptsChangedContent(SignMode mode, bool gcm, int seed)
    {
        var random = new Random(seed);
        var settings = EncryptedResponses.Settings(TestSpKeys.Default, TestSpKeys.Next);
        var validator = new SamlResponseValidator(new FakeTimeProvider(TestResponseBuilder.Now));
        var builder = new TestResponseBuilder();
        var options = gcm ? EncryptionOptions.Gcm : new EncryptionOptions();
        var original = Bytes(EncryptedResponses.Build(builder, mode, options: options));
        var (_, signed) = SignedAssertion();
        var baseline = validator.ValidateXml(original, settings);
        Assert.That(baseline.IsValid, Is.True, baseline.Failure?.Message);

        var stopwatch = Stopwatch.StartNew();
        int run = 0, accepted = 0;
        var codes = new Dictionary<string, int>();
        var slowest = TimeSpan.Zero;
        for (; run < Iterations && stopwatch.Elapsed < Budget; run++)
        {
            var (mutated, description) = random.Next(5) == 0 ? MutatePlaintext(signed.OuterXml, random, options) : Mutate(original, random);
            var started = Stopwatch.GetTimestamp();
            var task = Task.Run(() => validator.Validate(Convert.ToBase64String(mutated), settings));
            if (!task.Wait(Watchdog))
            {
                Assert.Fail($"Mutation #{run} ({description}) did not finish within {Watchdog.TotalSeconds} s");
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            slowest = elapsed > slowest ? elapsed : slowest;
            var result = task.Result;
            if (!result.IsValid)
            {
                Assert.That(result.Failure!.Message, Does.Not.StartWith("Unexpected"), $"#{run} ({description}): an exception escaped a check");
                Assert.That(SamlErrorCodes.All, Does.Contain(result.Failure.Code), $"#{run} ({description})");
                codes[result.Failure.Code] = codes.GetValueOrDefault(result.Failure.Code) + 1;
                continue;
            }

            accepted++;
            var assertion = result.Assertion!;
            Assert.That((assertion.NameId, assertion.AssertionId, assertion.Issuer), Is.EqualTo((baseline.Assertion!.NameId, baseline.Assertion.AssertionId, baseline.Assertion.Issuer)),
                $"#{run} ({description})");
            Assert.That(assertion.Attributes, Is.EquivalentTo(baseline.Assertion.Attributes), $"#{run} ({description})");
        }

        TestContext.Out.WriteLine($"{mode}/{(gcm ? "GCM" : "CBC")}: {run} mutations in {stopwatch.Elapsed.TotalSeconds:F1}s, slowest {slowest.TotalMilliseconds:F0} ms, "
            + $"{accepted} accepted unchanged; refusals: " + string.Join(", ", codes.OrderByDescending(c => c.Value).Select(c => $"{c.Key}={c.Value}")));
        Assert.That(run, Is.GreaterThanOrEqualTo(300), "too few mutations ran within the time budget");
        Assert.That(codes.Keys, Has.Count.GreaterThan(3), "the mutations should reach several different checks");
    }

    /// <summary>A valid encryption of a mutated plaintext: the decrypted-XML path (parser, caps, signature) under attack.</summary>
    private static (byte[] Bytes, string Description) MutatePlaintext(string assertionXml, Random random, EncryptionOptions options)
    {
        string plaintext;
        string description;
        switch (random.Next(6))
        {
            case 0:
                {
                    var bytes = Encoding.UTF8.GetBytes(assertionXml);
                    for (var i = random.Next(1, 4); i > 0; i--)
                    {
                        bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                    }

                    plaintext = Encoding.UTF8.GetString(bytes);
                    description = "plaintext bit flips";
                    break;
                }

            case 1:
                plaintext = assertionXml[..random.Next(assertionXml.Length)];
                description = "plaintext truncated";
                break;
            case 2:
                plaintext = "<!DOCTYPE Assertion [<!ENTITY a \"" + new string('a', random.Next(1, 5000)) + "\">]>" + assertionXml;
                description = "plaintext with a DTD";
                break;
            case 3:
                var depth = random.Next(1, 200);
                plaintext = string.Concat(Enumerable.Repeat("<x>", depth)) + assertionXml + string.Concat(Enumerable.Repeat("</x>", depth));
                description = $"plaintext nested {depth} deep";
                break;
            case 4:
                plaintext = Encoding.Latin1.GetString(RandomNumberGenerator.GetBytes(random.Next(0, 3000)));
                description = "random plaintext";
                break;
            default:
                plaintext = assertionXml + assertionXml;
                description = "plaintext twice";
                break;
        }

        return (Bytes(WithPlaintext(plaintext, options: options)), description);
    }

    private static (byte[] Bytes, string Description) Mutate(byte[] original, Random random)
    {
        switch (random.Next(10))
        {
            case 0:
                {
                    var bytes = original.ToArray();
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                    return (bytes, "document bit flip");
                }

            case 1:
                return (original[..random.Next(original.Length)], "document truncated");
            default:
                break;
        }

        var document = new XmlDocument { PreserveWhitespace = true };
        document.LoadXml(Encoding.UTF8.GetString(original));
        var encrypted = EncryptedAssertion(document);
        var inside = encrypted.SelectNodes(".//*")!.Cast<XmlElement>().Prepend(encrypted).ToList();
        var target = inside[random.Next(inside.Count)];
        string description;
        switch (random.Next(10))
        {
            case 0:
            case 1:
                {
                    var cipherValue = random.Next(2) == 0 ? ContentCipherValue(document) : WrappedKeyCipherValue(document);
                    var bytes = Convert.FromBase64String(cipherValue.InnerText);
                    var edit = random.Next(4);
                    bytes = edit switch
                    {
                        0 when bytes.Length > 0 => Flip(bytes, random),
                        1 => bytes[..random.Next(bytes.Length + 1)],
                        2 => [.. bytes, .. RandomNumberGenerator.GetBytes(random.Next(1, 64))],
                        _ => RandomNumberGenerator.GetBytes(random.Next(0, 2048)),
                    };
                    cipherValue.InnerText = Convert.ToBase64String(bytes);
                    description = $"{cipherValue.ParentNode!.ParentNode!.LocalName} ciphertext edit {edit}";
                    break;
                }

            case 2:
                {
                    var methods = encrypted.GetElementsByTagName("EncryptionMethod", XmlEncConstants.Namespace).Cast<XmlElement>().ToList();
                    var method = methods[random.Next(methods.Count)];
                    method.SetAttribute("Algorithm", AlgorithmUris[random.Next(AlgorithmUris.Length)]);
                    description = $"algorithm of <{method.ParentNode!.LocalName}> changed";
                    break;
                }

            case 3 when target.ParentNode is XmlElement parent:
                parent.InsertAfter(target.CloneNode(deep: true), target);
                description = $"duplicated <{target.LocalName}>";
                break;
            case 4 when target.ParentNode is XmlElement parent && !ReferenceEquals(target, encrypted):
                {
                    var destination = inside[random.Next(inside.Count)];
                    if (IsAncestorOrSelf(target, destination))
                    {
                        goto default;
                    }

                    parent.RemoveChild(target);
                    destination.AppendChild(target);
                    description = $"moved <{target.LocalName}> into <{destination.LocalName}>";
                    break;
                }

            case 5 when target.ParentNode is XmlElement parent:
                parent.RemoveChild(target);
                description = $"removed <{target.LocalName}>";
                break;
            case 6:
                target.PrependChild(random.Next(2) == 0 ? document.CreateComment("fuzz") : document.CreateTextNode("fuzz"));
                description = $"node into <{target.LocalName}>";
                break;
            case 7 when target.Attributes.Cast<XmlAttribute>().Where(a => a.Prefix != "xmlns" && a.Name != "xmlns").ToList() is { Count: > 0 } attributes:
                {
                    var attribute = attributes[random.Next(attributes.Count)];
                    attribute.Value = random.Next(2) == 0 ? "" : attribute.Value + "#x";
                    description = $"changed @{attribute.Name} of <{target.LocalName}>";
                    break;
                }

            case 8:
                {
                    var retrieval = document.CreateElement("ds", "RetrievalMethod", SamlConstants.XmlDsigNamespace);
                    retrieval.SetAttribute("Type", XmlEncConstants.TypeEncryptedKey);
                    retrieval.SetAttribute("URI", random.Next(2) == 0 ? "#_missing" : "https://attacker.test/key");
                    target.AppendChild(retrieval);
                    description = $"RetrievalMethod into <{target.LocalName}>";
                    break;
                }

            default:
                target.SetAttribute(random.Next(2) == 0 ? "Id" : "fuzz", "_fuzz");
                description = $"added an attribute to <{target.LocalName}>";
                break;
        }

        return (Encoding.UTF8.GetBytes(document.OuterXml), description);
    }

    private static byte[] Flip(byte[] bytes, Random random)
    {
        bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
        return bytes;
    }

    private static bool IsAncestorOrSelf(XmlNode candidate, XmlNode node)
    {
        for (var current = node; current is not null; current = current.ParentNode)
        {
            if (ReferenceEquals(current, candidate))
            {
                return true;
            }
        }

        return false;
    }
}
