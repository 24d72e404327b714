using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml;
using Acs.Core.Saml.Bindings;
using Acs.Core.Saml.Metadata;
using Acs.Core.Saml.Signatures;
using Acs.Core.Saml.Validation;
using Acs.Core.Saml.Xml;
using Acs.Testing.TestIdp;
using Acs.Tests.TestInfrastructure;

namespace Acs.Tests.Core.Saml.Signatures;

/// <summary>
/// Differential test of the validator's exclusive canonicalization against xmlsec1 (libxml2's implementation):
/// seeded random documents, each with a signature template in the element to sign, are signed by xmlsec1 in one
/// run; for every document our canonical form of the signed element (minus the signature) must hash to xmlsec1's
/// DigestValue, and our canonical SignedInfo must verify under the key. The documents mix CR, TAB and LF (as
/// character references and raw) in text and attribute values, escapes, CDATA, comments, PIs, non-ASCII text and
/// names, xml:* attributes on ancestors and inside, and namespace layouts: default namespaces declared, inherited
/// and undeclared, prefixes redeclared and rebound, unused declarations, and InclusiveNamespaces prefix lists.
/// Namespace URIs never contain '&amp;': libxml2 writes it in a declaration as <c>&amp;#38;</c> where the
/// specification (and this validator) writes <c>&amp;amp;</c>; no SAML namespace has one.
/// </summary>
[TestFixture]
public sealed class ExclusiveCanonicalizerXmlsecTests
{
    private const int Documents = 300;
    private const string TargetNamespace = "urn:t";

    [Test]
    public void Canonicalize_OnGeneratedDocuments_ProducesWhatXmlsec1DigestsAndSigns()
    {
        var random = new Random(20261201);
        var templates = Enumerable.Range(0, Documents).Select(i => new DocumentGenerator(random, i).Generate()).ToList();

        var signed = Xmlsec1.Sign(templates, TestIdpKeys.Default, TargetNamespace + ":Target", "Target");

        var key = (RSA)TestIdpKeys.Default.Key;
        var failures = new List<string>();
        var coverage = new Dictionary<string, int>
        {
            ["CR in text or attribute"] = 0,
            ["TAB in attribute"] = 0,
            ["LF in attribute"] = 0,
            ["xmlns=\"\" written"] = 0,
            ["xml:* on an ancestor"] = 0,
            ["InclusiveNamespaces"] = 0,
            ["declaration written below the apex"] = 0,
        };
        for (var i = 0; i < signed.Count; i++)
        {
            var document = SafeXml.Load(signed[i]);
            var signature = (XmlElement)document.GetElementsByTagName("Signature", SamlConstants.XmlDsigNamespace)[0]!;
            var target = (XmlElement)signature.ParentNode!;
            var signedInfo = Child(signature, "SignedInfo");
            var reference = Child(signedInfo, "Reference");
            var transform = (XmlElement)Child(reference, "Transforms").ChildNodes[1]!;

            var content = ExclusiveCanonicalizer.Canonicalize(target, signature, ExclusiveCanonicalizer.InclusivePrefixes(transform));
            var canonicalSignedInfo = ExclusiveCanonicalizer.Canonicalize(signedInfo, null,
                ExclusiveCanonicalizer.InclusivePrefixes(Child(signedInfo, "CanonicalizationMethod")));
            var digestOk = SHA256.HashData(content).AsSpan().SequenceEqual(Convert.FromBase64String(Child(reference, "DigestValue").InnerText));
            var signatureOk = key.VerifyData(canonicalSignedInfo, Convert.FromBase64String(Child(signature, "SignatureValue").InnerText),
                HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var text = Encoding.UTF8.GetString(content);
            Count(coverage, "CR in text or attribute", text.Contains("&#xD;", StringComparison.Ordinal));
            Count(coverage, "TAB in attribute", text.Contains("&#x9;", StringComparison.Ordinal));
            Count(coverage, "LF in attribute", text.Contains("&#xA;", StringComparison.Ordinal));
            Count(coverage, "xmlns=\"\" written", text.Contains("xmlns=\"\"", StringComparison.Ordinal));
            Count(coverage, "xml:* on an ancestor", templates[i].IndexOf(" xml:", StringComparison.Ordinal) is >= 0 and var at
                && at < templates[i].IndexOf("Target ", StringComparison.Ordinal));
            Count(coverage, "InclusiveNamespaces", templates[i].Contains("PrefixList", StringComparison.Ordinal));
            Count(coverage, "declaration written below the apex", text.IndexOf(" xmlns", text.IndexOf('>', StringComparison.Ordinal), StringComparison.Ordinal) > 0);
            if (!digestOk || !signatureOk)
            {
                // Only the first few are explained: each explanation is another run of xmlsec1.
                failures.Add($"document {i} (digest {(digestOk ? "ok" : "DIFFERS")}, SignedInfo {(signatureOk ? "ok" : "DIFFERS")})" + (failures.Count >= 3
                    ? ""
                    : $":\ntemplate: {templates[i]}\nours: [{text}]\nours SignedInfo: [{Encoding.UTF8.GetString(canonicalSignedInfo)}]\n"
                        + Xmlsec1.Explain(signed[i], content, TestIdpKeys.Default, TargetNamespace + ":Target", "Target")));
            }
        }

        Assert.That(failures, Is.Empty, () => failures.Count + " of " + signed.Count + " differ; first:\n" + string.Join("\n\n", failures));
        foreach (var (shape, documents) in coverage)
        {
            Assert.That(documents, Is.GreaterThan(Documents / 10), "too few generated documents have: " + shape);
        }
    }

    private static void Count(Dictionary<string, int> coverage, string shape, bool present) => coverage[shape] += present ? 1 : 0;

    private static XmlElement Child(XmlElement parent, string localName) =>
        parent.ChildNodes.OfType<XmlElement>().First(e => e.LocalName == localName);

    /// <summary>One random document: ancestors, the Target element holding the signature template, and content.</summary>
    private sealed class DocumentGenerator(Random random, int index)
    {
        private static readonly string[] Prefixes = ["a", "b", "p", "q", "saml", "xs", "xsi", "ds", "\u00e9t"];
        private static readonly string[] Uris = ["urn:a", "urn:b", "urn:t", "http://www.w3.org/2001/XMLSchema", "urn:x?a=1;b=2", "urn:caf%C3%A9", "http://example.com/ns#frag", ""];
        private static readonly string[] Names = ["a", "b", "ID2", "Name", "z", "A", "\u00e9", "\u65e5\u672c", "_x.y-z"];

        /// <summary>Prefixed declarations in scope, innermost last.</summary>
        private readonly List<(string Prefix, string Uri)> _scope = [];
        private readonly StringBuilder _xml = new();

        public string Generate()
        {
            // The signed element is in urn:t: through its own declaration, or one inherited from an ancestor.
            var ancestors = random.Next(0, 3);
            var targetPrefix = Pick("", "", "t", "saml");
            var inherited = ancestors > 0 && random.Next(2) == 0;
            string[] reserved = [targetPrefix];

            // Ancestors outside the signed element: namespaces (used below or not) and xml:* attributes.
            var marks = new int[ancestors];
            for (var i = 0; i < ancestors; i++)
            {
                marks[i] = _scope.Count;
                _xml.Append(i == 0 ? "<w:Wrap xmlns:w=\"urn:w\"" : "<w:Inner");
                if (i == 0 && inherited)
                {
                    Declare(targetPrefix, TargetNamespace);
                }

                Declarations(random.Next(0, 4), allowDefault: true, reserved: inherited ? reserved : []);
                if (random.Next(2) == 0)
                {
                    _xml.Append(Pick(" xml:lang=\"en\"", " xml:space=\"preserve\"", " xml:base=\"http://x/\"", " xml:lang=\"fr\" xml:space=\"default\""));
                }

                _xml.Append('>');
                Content(depth: 3, maxChildren: 1);
            }

            var targetName = targetPrefix.Length == 0 ? "Target" : targetPrefix + ":Target";
            var targetMark = _scope.Count;
            _xml.Append('<').Append(targetName);
            if (!inherited || random.Next(3) == 0)
            {
                Declare(targetPrefix, TargetNamespace);
            }

            Declarations(random.Next(0, 3), allowDefault: false, reserved: reserved);
            _xml.Append(" ID=\"_t").Append(index.ToString(CultureInfo.InvariantCulture)).Append('"');
            Attributes(random.Next(0, 4));
            _xml.Append('>');

            var children = random.Next(1, 6);
            var signatureAt = random.Next(children + 1);
            for (var i = 0; i <= children; i++)
            {
                if (i == signatureAt)
                {
                    _xml.Append(Xmlsec1.SignatureTemplate("_t" + index.ToString(CultureInfo.InvariantCulture),
                        PrefixList(), random.Next(4) == 0 ? PrefixList() : null, Pick("ds", "ds", "", "dsig")));
                }
                else
                {
                    Content(depth: 4, maxChildren: 4);
                }
            }

            _xml.Append("</").Append(targetName).Append('>');
            _scope.RemoveRange(targetMark, _scope.Count - targetMark);
            for (var i = ancestors - 1; i >= 0; i--)
            {
                Content(depth: 2, maxChildren: 1);
                _xml.Append(i == 0 ? "</w:Wrap>" : "</w:Inner>");
                _scope.RemoveRange(marks[i], _scope.Count - marks[i]);
            }

            return _xml.ToString();
        }

        private void Declare(string prefix, string uri)
        {
            _xml.Append(prefix.Length == 0 ? " xmlns=\"" : $" xmlns:{prefix}=\"").Append(Escape(uri)).Append('"');
            if (prefix.Length > 0)
            {
                _scope.Add((prefix, uri));
            }
        }

        private string? UriOf(string prefix)
        {
            for (var i = _scope.Count - 1; i >= 0; i--)
            {
                if (_scope[i].Prefix == prefix)
                {
                    return _scope[i].Uri;
                }
            }

            return prefix == "xml" ? "http://www.w3.org/XML/1998/namespace" : null;
        }

        private string? PrefixList()
        {
            if (random.Next(3) == 0)
            {
                return null;
            }

            var tokens = Enumerable.Range(0, random.Next(1, 5)).Select(_ => Pick([.. Prefixes, "#default", "absent", "w", "t"])).Distinct();
            return string.Join(' ', tokens);
        }

        /// <summary>Namespace declarations: unused ones, ones used below, rebinding of prefixes in scope.</summary>
        private void Declarations(int count, bool allowDefault, string[] reserved)
        {
            var seen = new HashSet<string>(reserved);
            for (var i = 0; i < count; i++)
            {
                var prefix = allowDefault && random.Next(4) == 0 ? "" : Pick(Prefixes);
                var uri = Pick(Uris);
                if ((prefix.Length > 0 && uri.Length == 0) || !seen.Add(prefix))
                {
                    continue;
                }

                Declare(prefix, uri);
            }
        }

        private void Attributes(int count)
        {
            // No two attributes may share namespace and local name, whatever prefixes they are written with.
            var seen = new HashSet<(string, string)>();
            for (var i = 0; i < count; i++)
            {
                var prefix = random.Next(3) == 0 && _scope.Count > 0 ? _scope[random.Next(_scope.Count)].Prefix : random.Next(8) == 0 ? "xml" : "";
                var name = prefix == "xml" ? Pick("lang", "space", "base") : Pick(Names);
                var uri = prefix.Length == 0 ? "" : UriOf(prefix)!;
                if (!seen.Add((uri, name)))
                {
                    continue;
                }

                // xml:space has only two legal values.
                var value = prefix == "xml" && name == "space" ? Pick("preserve", "default") : Text(attribute: true);
                _xml.Append(' ').Append(prefix.Length == 0 ? name : prefix + ":" + name).Append("=\"").Append(value).Append('"');
            }
        }

        private void Content(int depth, int maxChildren)
        {
            var count = random.Next(0, maxChildren + 1);
            for (var i = 0; i < count; i++)
            {
                switch (random.Next(depth > 0 ? 9 : 5))
                {
                    case 0:
                    case 1:
                        _xml.Append(Text(attribute: false));
                        break;
                    case 2:
                        _xml.Append("<![CDATA[").Append(Pick("a < b & c > d", "]]", "\u00e9 \n x", "")).Append("]]>");
                        break;
                    case 3:
                        _xml.Append(Pick("<!-- comment -->", "<!---->", "<?pi data?>", "<?empty?>", "<?pi  spaced  data ?>"));
                        break;
                    case 4:
                        _xml.Append(Pick("\n", "\n  ", "\t", " "));
                        break;
                    default:
                        Element(depth - 1);
                        break;
                }
            }
        }

        private void Element(int depth)
        {
            var mark = _scope.Count;
            var outer = _xml.Length;
            if (random.Next(5) == 0)
            {
                // Undeclare or change the default namespace.
                Declare("", Pick("", "urn:d", TargetNamespace));
            }

            Declarations(random.Next(0, 3), allowDefault: false, reserved: []);
            Attributes(random.Next(0, 4));
            var prefix = random.Next(2) == 0 && _scope.Count > 0 ? _scope[random.Next(_scope.Count)].Prefix : "";
            var name = (prefix.Length == 0 ? "" : prefix + ":") + Pick("E", "F", "Item", "\u00e9l\u00e9ment", "x.y");
            _xml.Insert(outer, "<" + name);
            if (random.Next(4) == 0)
            {
                _xml.Append("/>");
            }
            else
            {
                _xml.Append('>');
                Content(depth, maxChildren: 3);
                _xml.Append("</").Append(name).Append('>');
            }

            _scope.RemoveRange(mark, _scope.Count - mark);
        }

        /// <summary>Character data with the characters canonicalization treats specially, as references and raw.</summary>
        private string Text(bool attribute)
        {
            var text = new StringBuilder();
            var pieces = random.Next(0, 6);
            for (var i = 0; i < pieces; i++)
            {
                text.Append(Pick(
                    "&#13;", "&#xD;", "&#13;&#10;", "&#9;", "&#x9;", "&#10;", "&#xA;", "\n", "\r\n", "\r", "\t",
                    "&amp;", "&lt;", "&gt;", ">", "&quot;", "'", "&apos;", "&#38;", "&#60;",
                    "plain", "two words", "\u00e9\u00e0\u00fc", "\u65e5\u672c\u8a9e", "\U0001F600", "&#x1F600;", "&#233;", "\u00a0")
                    .Replace("\"", attribute ? "&quot;" : "\"", StringComparison.Ordinal));
            }

            return text.ToString();
        }

        private static string Escape(string value) =>
            value.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
                .Replace("\"", "&quot;", StringComparison.Ordinal);

        private string Pick(params string[] choices) => choices[random.Next(choices.Length)];
    }
}
