using System.Security.Cryptography;
using System.Xml;
using Acs.Benchmarks.Responses;
using Acs.Core.Saml.Validation;
using BenchmarkDotNet.Attributes;

namespace Acs.Benchmarks.Validator;

/// <summary>
/// Our validator on the same Entra-shaped responses, next to the floor any validator pays: one RSA-2048
/// VerifyData with SHA-256 over the same bytes, and one XmlDocument load of them.
/// </summary>
[MemoryDiagnoser]
public class ValidatorBenchmarks
{
    private SamlResponseValidator _validator = null!;
    private SamlValidationSettings _settings = null!;
    private string _assertionSigned = "";
    private string _responseSigned = "";
    private string _bothSigned = "";
    private byte[] _bytes = [];
    private byte[] _floorSignature = [];
    private RSA _publicKey = null!;

    /// <summary>Set by the runner through an environment variable so the in-process job sees the folder.</summary>
    public static string Folder => Environment.GetEnvironmentVariable("ACS_BENCH_RESPONSES")
        ?? throw new InvalidOperationException("ACS_BENCH_RESPONSES is not set");

    [Params("5kb", "50kb")]
    public string Size { get; set; } = "5kb";

    [GlobalSetup]
    public void Setup()
    {
        var set = ResponseSet.Read(Folder);
        _validator = new SamlResponseValidator(new FixedTimeProvider(set.IssuedAt));
        _settings = set.Settings();
        _assertionSigned = Convert.ToBase64String(set.Bytes(SignMode.Assertion, Size));
        _responseSigned = Convert.ToBase64String(set.Bytes(SignMode.Response, Size));
        _bothSigned = Convert.ToBase64String(set.Bytes(SignMode.Both, Size));
        _bytes = set.Bytes(SignMode.Assertion, Size);

        // The floor's signature is made by a throwaway RSA-2048 key over exactly these bytes.
        using var signer = RSA.Create(2048);
        _floorSignature = signer.SignData(_bytes, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        _publicKey = RSA.Create(signer.ExportParameters(includePrivateParameters: false));

        foreach (var value in new[] { _assertionSigned, _responseSigned, _bothSigned })
        {
            var result = _validator.Validate(value, _settings);
            if (!result.IsValid)
            {
                throw new InvalidOperationException("benchmark response does not validate: " + result.Failure.Code + " " + result.Failure.Message);
            }
        }
    }

    [Benchmark]
    public bool ValidateAssertionSigned() => _validator.Validate(_assertionSigned, _settings).IsValid;

    [Benchmark]
    public bool ValidateResponseSigned() => _validator.Validate(_responseSigned, _settings).IsValid;

    [Benchmark]
    public bool ValidateBothSigned() => _validator.Validate(_bothSigned, _settings).IsValid;

    [Benchmark(Baseline = true)]
    public bool FloorRsaVerifySha256() => _publicKey.VerifyData(_bytes, _floorSignature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    [Benchmark]
    public XmlDocument BaselineXmlDocumentLoad()
    {
        var document = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
        using var stream = new MemoryStream(_bytes, writable: false);
        document.Load(stream);
        return document;
    }
}
