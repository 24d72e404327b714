using System.Text;
using Acs.Testing.TestIdp;

namespace Acs.Testing.Reliability;

/// <summary>
/// A seeded stream of hostile requests against one tenant's ACS: random bytes, truncated and mutated valid responses,
/// huge attributes, deep nesting, 10 MB bodies, wrong content types, missing and duplicated fields, invalid UTF-8,
/// odd Host headers and odd methods and paths. Every SAMLResponse-like value carries <see cref="Marker"/> (in plain
/// text, or inside the XML it encodes), so a test can prove none of it reaches a log line. Shared by
/// Acs.Tests (HttpFuzzTests) and tools/Acs.Reliability (scripts/reliability/fuzz-load.sh).
/// </summary>
public sealed class HostileInputs
{
    public const string Marker = "Zq7LEAKMARKERx9";

    /// <summary>Base64 of "&lt;samlp:Response": the start of every encoded response.</summary>
    public const string EncodedResponsePrefix = "PHNhbWxwOlJlc3BvbnNl";

    public const string ConsumePath = "/sso/saml/consume";
    public const int TenMegabytes = 10 * 1024 * 1024;

    private const string FormType = "application/x-www-form-urlencoded";

    private static readonly string[] Kinds =
    [
        "random-bytes", "random-base64", "truncated-xml", "mutated-xml", "mutated-base64", "huge-attribute", "deep-nesting",
        "xml-attacks", "wrong-content-type", "missing-fields", "duplicated-fields", "invalid-utf8", "relay-state", "odd-host",
        "odd-method-path", "multipart",
    ];

    private readonly Random _random;
    private readonly ReliabilitySite _site;
    private readonly string _tenantHost;
    private readonly List<byte[]> _validXml = [];
    private readonly Dictionary<int, string> _hugeSigned = [];
    private byte[]? _tenMegabyteBody;

    /// <param name="seed">The same seed gives the same requests (apart from signature bytes, which RSA makes fresh).</param>
    /// <param name="site">The tenant under attack; its signed responses are the raw material of the mutations.</param>
    /// <param name="tenantHost">The Host header of the tenant's site, e.g. fuzz.statuspage.io or fuzz.acs.localhost:8080.</param>
    public HostileInputs(int seed, ReliabilitySite site, string tenantHost)
    {
        _random = new Random(seed);
        _site = site;
        _tenantHost = tenantHost;
        for (var i = 0; i < 8; i++)
        {
            var builder = site.Response($"jane.{Marker}.{i}@contoso.test", $"{Marker}-{i}", i % 3 == 0 ? SignMode.Both : SignMode.Assertion);
            ReliabilitySite.Replace(builder, TestResponseBuilder.ClaimDisplayName, "Jane " + Marker);
            _validXml.Add(builder.BuildBytes());
        }
    }

    /// <summary><paramref name="count"/> requests, of which <paramref name="tenMegabyteBodies"/> carry a 10 MB body.</summary>
    public IEnumerable<HostileRequest> Generate(int count, int tenMegabyteBodies)
    {
        var every = tenMegabyteBodies > 0 ? Math.Max(1, count / tenMegabyteBodies) : int.MaxValue;
        var big = 0;
        for (var i = 0; i < count; i++)
        {
            if (i % every == every / 2 && big < tenMegabyteBodies)
            {
                big++;
                yield return TenMegabyteBody(big);
                continue;
            }

            var kind = Kinds[_random.Next(Kinds.Length)];
            yield return kind switch
            {
                "random-bytes" => RandomBytes(),
                "random-base64" => Form(kind, ("SAMLResponse", Convert.ToBase64String(Bytes(_random.Next(1, 4096))) + Marker)),
                "truncated-xml" => Form(kind, ("SAMLResponse", Convert.ToBase64String(Truncate(Valid())))),
                "mutated-xml" => Form(kind, ("SAMLResponse", Convert.ToBase64String(MutateBytes(Valid())))),
                "mutated-base64" => Form(kind, ("SAMLResponse", MutateBase64(Convert.ToBase64String(Valid())))),
                "huge-attribute" => HugeAttribute(),
                "deep-nesting" => DeepNesting(),
                "xml-attacks" => XmlAttack(),
                "wrong-content-type" => WrongContentType(),
                "missing-fields" => MissingFields(),
                "duplicated-fields" => DuplicatedFields(),
                "invalid-utf8" => InvalidUtf8(),
                "relay-state" => RelayState(),
                "odd-host" => OddHost(),
                "odd-method-path" => OddMethodOrPath(),
                _ => Multipart(),
            };
        }
    }

    private byte[] Valid() => _validXml[_random.Next(_validXml.Count)];

    private byte[] Bytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private HostileRequest Form(string kind, params (string Key, string Value)[] fields) =>
        Raw(kind, Encoding.ASCII.GetBytes(FormBody(fields)), FormType);

    private HostileRequest Raw(string kind, byte[] body, string? contentType, string? host = null, string method = "POST",
        string path = ConsumePath, bool chunked = false) =>
        new(kind, method, path, host ?? _tenantHost, body, contentType, chunked);

    private static string FormBody(params (string Key, string Value)[] fields) =>
        string.Join('&', fields.Select(f => Uri.EscapeDataString(f.Key) + "=" + Uri.EscapeDataString(f.Value)));

    private HostileRequest RandomBytes()
    {
        var bytes = Bytes(_random.Next(0, 8192));
        var marker = Encoding.ASCII.GetBytes("SAMLResponse=" + Marker);
        if (bytes.Length > marker.Length)
        {
            marker.CopyTo(bytes, _random.Next(bytes.Length - marker.Length));
        }

        return Raw("random-bytes", bytes, _random.Next(2) == 0 ? FormType : null, chunked: _random.Next(4) == 0);
    }

    private byte[] Truncate(byte[] xml) => xml[.._random.Next(1, xml.Length)];

    private byte[] MutateBytes(byte[] xml)
    {
        var bytes = xml.ToList();
        var edits = 1 + _random.Next(4);
        for (var e = 0; e < edits && bytes.Count > 2; e++)
        {
            var at = _random.Next(bytes.Count);
            switch (_random.Next(6))
            {
                case 0:
                    bytes[at] = (byte)_random.Next(256);
                    break;
                case 1:
                    bytes[at] ^= (byte)(1 << _random.Next(8));
                    break;
                case 2:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + _random.Next(64)));
                    break;
                case 3:
                    bytes.InsertRange(at, Bytes(1 + _random.Next(16)));
                    break;
                case 4:
                    var length = Math.Min(bytes.Count - at, 1 + _random.Next(512));
                    bytes.InsertRange(_random.Next(bytes.Count), bytes.GetRange(at, length));
                    break;
                default:
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(Pick("<", ">", "&", "\"", "]]>", "<!--", "<?x?>", "&amp;", "\u00e9", "\0")));
                    break;
            }
        }

        return bytes.ToArray();
    }

    private string MutateBase64(string base64)
    {
        var text = new StringBuilder(base64);
        switch (_random.Next(7))
        {
            case 0:
                text[_random.Next(text.Length)] = Pick('A', 'Z', '+', '/', 'q', '0');
                break;
            case 1:
                text.Length = _random.Next(1, text.Length); // not a multiple of four
                break;
            case 2:
                text.Insert(_random.Next(text.Length), Pick("!", "%", "=", "==", "*", "\u00e9", Marker));
                break;
            case 3:
                text.Replace('+', '-').Replace('/', '_'); // the URL-safe alphabet
                break;
            case 4:
                text.Insert(_random.Next(text.Length), Pick(" ", "\r\n", "\t", "    ")); // whitespace is allowed
                text[_random.Next(text.Length)] = 'x';
                break;
            case 5:
                text.Replace("=", "");
                text.Append(Marker);
                break;
            default:
                text.Insert(0, Convert.ToBase64String(Encoding.UTF8.GetBytes(Marker)));
                break;
        }

        return text.ToString();
    }

    private HostileRequest HugeAttribute()
    {
        var size = Pick(64 * 1024, 200 * 1024, 300 * 1024, 2 * 1024 * 1024);
        if (!_hugeSigned.TryGetValue(size, out var xml))
        {
            var builder = _site.Response($"huge.{Marker}@contoso.test", Marker + "-huge");
            ReliabilitySite.Replace(builder, TestResponseBuilder.ClaimDisplayName, Marker + new string('a', size));
            xml = Encoding.UTF8.GetString(builder.BuildBytes());
            _hugeSigned[size] = xml; // signing megabytes is slow: once per size
        }

        // Signed by the trusted key, then changed: the signature must fail after digesting the whole huge value.
        var at = xml.IndexOf(Marker + "aaa", StringComparison.Ordinal) + Marker.Length + _random.Next(size);
        var tampered = string.Concat(xml.AsSpan(0, at), "b", xml.AsSpan(at + 1));
        return Form("huge-attribute", ("SAMLResponse", Convert.ToBase64String(Encoding.UTF8.GetBytes(tampered))));
    }

    private HostileRequest DeepNesting()
    {
        var depth = Pick(64, 1_000, 10_000, 30_000);
        var open = string.Concat(Enumerable.Repeat("<x>", depth));
        var close = string.Concat(Enumerable.Repeat("</x>", depth));
        var xml = Encoding.UTF8.GetString(Valid());
        var where = _random.Next(3);
        var nested = where switch
        {
            0 => open + Marker + close, // the whole document
            1 => xml.Replace("<AttributeValue>", "<AttributeValue>" + open + Marker + close, StringComparison.Ordinal),
            _ => xml.Replace("</samlp:Status>", "</samlp:Status>" + open + Marker + close, StringComparison.Ordinal),
        };
        return Form("deep-nesting", ("SAMLResponse", Convert.ToBase64String(Encoding.UTF8.GetBytes(nested))));
    }

    private HostileRequest XmlAttack()
    {
        var xml = Encoding.UTF8.GetString(Valid());
        var body = xml.IndexOf("<samlp:Response", StringComparison.Ordinal) is var start and >= 0 ? xml[start..] : xml;
        var attack = _random.Next(5) switch
        {
            0 => """<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "Zq7LEAKMARKERx9Zq7LEAKMARKERx9"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><r>&d;&d;&d;&d;</r>""",
            1 => """<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;Zq7LEAKMARKERx9</r>""",
            2 => """<?xml version="1.0"?><!DOCTYPE samlp:Response SYSTEM "http://127.0.0.1:1/evil.dtd">""" + body,
            3 => """<?xml version="1.0" encoding="UTF-16"?>""" + body,
            _ => """<?xml-stylesheet href="http://127.0.0.1:1/x.xsl"?><!-- Zq7LEAKMARKERx9 -->""" + body + "<trailing/>",
        };
        return Form("xml-attacks", ("SAMLResponse", Convert.ToBase64String(Encoding.UTF8.GetBytes(attack))));
    }

    private HostileRequest WrongContentType()
    {
        var form = Encoding.ASCII.GetBytes(FormBody(("SAMLResponse", Convert.ToBase64String(MutateBytes(Valid())))));
        var contentType = Pick<string?>(null, "application/json", "text/xml", "text/plain", "application/octet-stream",
            "application/x-www-form-urlencoded; charset=utf-16", "application/x-www-form-urlencoded; charset=bogus-8",
            "application/x-www-form-urlencoded;;;==", "multipart/form-data", "multipart/form-data; boundary=",
            "multipart/form-data; boundary=" + new string('b', 200), "*/*", "application/x-www-form-urlencoded; charset=\"utf-8; x=\"y", "a/b/c");
        var body = contentType == "application/json"
            ? Encoding.UTF8.GetBytes($$"""{"SAMLResponse":"{{Marker}}"}""")
            : contentType == "text/xml" ? Valid() : form;
        return Raw("wrong-content-type", body, contentType);
    }

    private HostileRequest MissingFields() => _random.Next(5) switch
    {
        0 => Raw("missing-fields", [], FormType),
        1 => Form("missing-fields", ("RelayState", "/" + Marker)),
        2 => Form("missing-fields", ("SAMLResponse", "")),
        3 => Form("missing-fields", ("samlresponse", Convert.ToBase64String(Valid()))),
        _ => Raw("missing-fields", Encoding.ASCII.GetBytes("SAMLResponse&RelayState&&&=&" + Marker), FormType),
    };

    private HostileRequest DuplicatedFields()
    {
        var encoded = Convert.ToBase64String(MutateBytes(Valid()));
        return _random.Next(3) switch
        {
            0 => Form("duplicated-fields", ("SAMLResponse", encoded), ("SAMLResponse", Marker)),
            1 => Form("duplicated-fields", ("SAMLResponse", encoded), ("RelayState", "/a"), ("RelayState", "/" + Marker)),
            _ => Form("duplicated-fields", [.. Enumerable.Range(0, 2000).Select(i => ("f" + i, Marker))]), // over the form's value count
        };
    }

    private HostileRequest InvalidUtf8()
    {
        byte[][] invalid = [[0xC3, 0x28], [0xFF, 0xFE], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xC0, 0xAF], [0xE2, 0x82]];
        var bad = invalid[_random.Next(invalid.Length)];
        var body = new List<byte>();
        switch (_random.Next(4))
        {
            case 0: // raw bytes in the value
                body.AddRange(Encoding.ASCII.GetBytes("SAMLResponse=" + Marker));
                body.AddRange(bad);
                break;
            case 1: // percent-encoded bytes in the value
                body.AddRange(Encoding.ASCII.GetBytes("SAMLResponse=" + Marker + string.Concat(bad.Select(b => $"%{b:X2}"))));
                break;
            case 2: // in the key
                body.AddRange(bad);
                body.AddRange(Encoding.ASCII.GetBytes("=1&SAMLResponse=" + Marker));
                break;
            default: // inside the XML, which is then encoded properly
                var xml = Valid().ToList();
                xml.InsertRange(_random.Next(xml.Count), bad);
                body.AddRange(Encoding.ASCII.GetBytes(FormBody(("SAMLResponse", Convert.ToBase64String(xml.ToArray())))));
                break;
        }

        return Raw("invalid-utf8", body.ToArray(), Pick(FormType, FormType + "; charset=utf-8"));
    }

    private HostileRequest RelayState()
    {
        var relay = Pick("//evil.example/" + Marker, "https://evil.example/", "javascript:alert(1)", "/\\evil.example", "/ok\r\nSet-Cookie: x=1",
            new string('/', 5000), "/" + new string('a', 1025), "%2F%2Fevil.example", "\u0000/x", "/" + Marker + "\u202e");
        return Form("relay-state", ("SAMLResponse", Convert.ToBase64String(MutateBytes(Valid()))), ("RelayState", relay));
    }

    private HostileRequest OddHost()
    {
        var host = Pick("unknown-tenant.statuspage.io", "127.0.0.1", "[::1]", "[::1]:443", "127.0.0.1:8080", "localhost",
            _tenantHost.ToUpperInvariant(), _tenantHost + ".", "." + _tenantHost, "a.b." + _tenantHost, _tenantHost + ":0",
            _tenantHost + ":99999", _tenantHost + ":abc", WithPort(_tenantHost, 8443), new string('a', 5000) + ".statuspage.io",
            new string('a', 70) + ".statuspage.io", "xn--80ak6aa92e.statuspage.io", "fuzz%2e.statuspage.io", "",
            "evil.example", "_.statuspage.io", "-." + _tenantHost);
        return Raw("odd-host", Encoding.ASCII.GetBytes(FormBody(("SAMLResponse", Convert.ToBase64String(Valid()) + Marker))), FormType, host);
    }

    private static string WithPort(string host, int port) =>
        (host.LastIndexOf(':') is var colon and > 0 ? host[..colon] : host) + ":" + port;

    private HostileRequest OddMethodOrPath()
    {
        var method = Pick("GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "FOO", "POST", "POST");
        var path = Pick(ConsumePath, ConsumePath + "/", "/SSO/SAML/CONSUME", ConsumePath + "?SAMLResponse=" + Marker, "/sso/saml/%2e%2e/consume",
            "/sso/saml/../../admin/tenants", "//sso//saml//consume", "/sso/saml/consume%20", "/sso/saml/login?returnTo=/%00x", "/" + new string('a', 4000), "/sso/saml/",
            "/sso/saml/metadata", "/sso/saml/login?returnTo=//evil.example", "/admin/tenants", "/%ff%fe", "/sso/saml/consume;x=y");
        var body = method is "GET" or "HEAD" or "TRACE" ? null : Encoding.ASCII.GetBytes(FormBody(("SAMLResponse", Marker)));
        return new HostileRequest("odd-method-path", method, path, _tenantHost, body, body is null ? null : FormType);
    }

    private HostileRequest Multipart()
    {
        const string boundary = "----fuzzboundary";
        var value = _random.Next(2) == 0 ? Convert.ToBase64String(MutateBytes(Valid())) : Marker;
        var part = $"--{boundary}\r\nContent-Disposition: form-data; name=\"SAMLResponse\"\r\n\r\n{value}\r\n";
        var body = _random.Next(3) switch
        {
            0 => part + $"--{boundary}--\r\n",
            1 => part, // never closed
            _ => $"--{boundary}\r\nContent-Disposition: form-data; name=\"SAMLResponse\"; filename=\"{Marker}.xml\"\r\n\r\n{value}\r\n--{boundary}--\r\n",
        };
        return Raw("multipart", Encoding.ASCII.GetBytes(body), $"multipart/form-data; boundary={boundary}");
    }

    private HostileRequest TenMegabyteBody(int n)
    {
        _tenMegabyteBody ??= Encoding.ASCII.GetBytes("SAMLResponse=" + Marker + new string('A', TenMegabytes - 13 - Marker.Length));
        return Raw("10mb-body", _tenMegabyteBody, FormType, chunked: n % 2 == 0);
    }

    private T Pick<T>(params T[] options) => options[_random.Next(options.Length)];
}
