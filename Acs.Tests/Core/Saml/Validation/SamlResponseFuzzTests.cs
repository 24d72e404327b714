using System.Diagnostics;
using System.Text;
using System.Xml;
using Acs.Core.Saml.Validation;
using Acs.Testing.TestIdp;
using Microsoft.Extensions.Time.Testing;

namespace Acs.Tests.Core.Saml.Validation;

/// <summary>
/// Property test: random mutations of valid signed responses always yield a result (never an exception), and an
/// accepted mutation never changes what the SP reads from the signed assertion.
/// </summary>
[TestFixture]
[Category("Slow")]
public sealed class SamlResponseFuzzTests
{
    private const int Iterations = 3_000;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);

    [TestCase(SignMode.Assertion, 20260302)]
    [TestCase(SignMode.Response, 20260303)]
    [TestCase(SignMode.Both, 20260304)]
    public void Validate_WithRandomMutationsOfASignedResponse_NeverThrowsAndNeverAcceptsChangedSignedContent(SignMode mode, int seed)
    {
        var random = new Random(seed);
        var settings = TestResponseBuilder.Settings();
        var validator = new SamlResponseValidator(new FakeTimeProvider(TestResponseBuilder.Now));
        var builder = new TestResponseBuilder { Sign = mode };
        builder.Attributes.Add(new(TestResponseBuilder.ClaimRole, "team_member"));
        var original = builder.BuildBytes();
        var baseline = validator.ValidateXml(original, settings);
        Assert.That(baseline.IsValid, Is.True, baseline.Failure?.Message);

        var stopwatch = Stopwatch.StartNew();
        int run = 0, accepted = 0;
        var codes = new Dictionary<string, int>();
        for (; run < Iterations && stopwatch.Elapsed < Budget; run++)
        {
            var (mutated, description) = Mutate(original, random);
            SamlValidationResult result;
            try
            {
                result = validator.Validate(Convert.ToBase64String(mutated), settings);
            }
            catch (Exception e)
            {
                Assert.Fail($"Mutation #{run} ({description}) threw {e}");
                return;
            }

            Assert.That(result.IsValid || result.Failure is not null, Is.True);
            if (!result.IsValid)
            {
                Assert.That(result.Failure!.Message, Does.Not.StartWith("Unexpected"), $"#{run} ({description}): an exception escaped a check");
                codes[result.Failure.Code] = codes.GetValueOrDefault(result.Failure.Code) + 1;
                continue;
            }

            accepted++;
            AssertSameSignedContent(baseline.Assertion!, result.Assertion!, mode, $"#{run} ({description})");
        }

        TestContext.Out.WriteLine($"{mode}: {run} mutations in {stopwatch.Elapsed.TotalSeconds:F1}s, {accepted} accepted unchanged; refusals: "
            + string.Join(", ", codes.OrderByDescending(c => c.Value).Select(c => $"{c.Key}={c.Value}")));
        Assert.That(run, Is.GreaterThanOrEqualTo(500), "too few mutations ran within the time budget");
        Assert.That(codes.Keys, Has.Count.GreaterThan(3), "the mutations should reach several different checks");
    }

    private static void AssertSameSignedContent(SamlAssertion expected, SamlAssertion actual, SignMode mode, string what)
    {
        Assert.Multiple(() =>
        {
            Assert.That(actual.NameId, Is.EqualTo(expected.NameId), what);
            Assert.That(actual.AssertionId, Is.EqualTo(expected.AssertionId), what);
            Assert.That(actual.Issuer, Is.EqualTo(expected.Issuer), what);
            Assert.That(actual.NameIdFormat, Is.EqualTo(expected.NameIdFormat), what);
            Assert.That(actual.SessionIndex, Is.EqualTo(expected.SessionIndex), what);
            Assert.That(actual.IssueInstant, Is.EqualTo(expected.IssueInstant), what);
            Assert.That(actual.NotOnOrAfter, Is.EqualTo(expected.NotOnOrAfter), what);
            Assert.That(actual.Attributes, Is.EquivalentTo(expected.Attributes), what);
            // Dropping one of two signatures can leave a message that is still validly signed, with fewer parts.
            Assert.That(expected.SignedParts.HasFlag(actual.SignedParts), Is.True, what);
            if (actual.SignedParts.HasFlag(SignedParts.Response))
            {
                Assert.That(actual.ResponseId, Is.EqualTo(expected.ResponseId), what);
            }
        });
    }

    private static (byte[] Bytes, string Description) Mutate(byte[] original, Random random)
    {
        switch (random.Next(8))
        {
            case 0:
                {
                    var bytes = original.ToArray();
                    var flips = random.Next(1, 4);
                    for (var i = 0; i < flips; i++)
                    {
                        bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                    }

                    return (bytes, $"{flips} bit flip(s)");
                }

            case 1:
                return (original[..random.Next(original.Length)], "truncated");
            default:
                break;
        }

        var document = new XmlDocument { PreserveWhitespace = true };
        document.LoadXml(Encoding.UTF8.GetString(original));
        var elements = document.SelectNodes("//*")!.Cast<XmlElement>().ToList();
        var target = elements[random.Next(elements.Count)];
        string description;
        switch (random.Next(7))
        {
            case 0 when target.ParentNode is XmlElement parent:
                parent.InsertAfter(target.CloneNode(deep: true), target);
                description = $"duplicated <{target.LocalName}>";
                break;
            case 1 when target.ParentNode is XmlElement:
                {
                    var destination = elements[random.Next(elements.Count)];
                    if (IsAncestorOrSelf(target, destination))
                    {
                        goto default;
                    }

                    target.ParentNode!.RemoveChild(target);
                    destination.AppendChild(target);
                    description = $"moved <{target.LocalName}> into <{destination.LocalName}>";
                    break;
                }

            case 2 when OrdinaryAttributes(target) is { Count: > 0 } attributes:
                {
                    var attribute = attributes[random.Next(attributes.Count)];
                    target.Attributes.Remove(attribute);
                    description = $"dropped @{attribute.Name} of <{target.LocalName}>";
                    break;
                }

            case 3 when target.FirstChild is XmlText text:
                text.Value = random.Next(2) == 0 ? text.Data + "x" : text.Data[..(text.Data.Length / 2)];
                description = $"changed text of <{target.LocalName}>";
                break;
            case 4:
                target.PrependChild(document.CreateComment("fuzz"));
                description = $"comment into <{target.LocalName}>";
                break;
            case 5 when OrdinaryAttributes(target) is { Count: > 0 } attributes:
                {
                    var attribute = attributes[random.Next(attributes.Count)];
                    attribute.Value = random.Next(2) == 0 ? "" : attribute.Value + "1";
                    description = $"changed @{attribute.Name} of <{target.LocalName}>";
                    break;
                }

            case 6 when target.ParentNode is XmlElement parent:
                parent.RemoveChild(target);
                description = $"removed <{target.LocalName}>";
                break;
            default:
                target.SetAttribute("fuzz", "1");
                description = $"added @fuzz to <{target.LocalName}>";
                break;
        }

        return (Encoding.UTF8.GetBytes(document.OuterXml), description);
    }

    /// <summary>Namespace declarations are left alone: editing them makes documents XmlDocument cannot write.</summary>
    private static List<XmlAttribute> OrdinaryAttributes(XmlElement element) =>
        element.Attributes.Cast<XmlAttribute>().Where(a => a.Prefix != "xmlns" && a.Name != "xmlns").ToList();

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
