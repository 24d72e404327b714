using System.Security.Cryptography;
using Acs.Core.Saml.Xml;

namespace Acs.Testing.TestIdp;

/// <summary>
/// The test IdP signs with SignedXml, which knows RSA but not ECDSA signature methods; these descriptions add
/// ecdsa-sha256/384/512 (XML-DSig 1.1: the signature value is r||s, which is .NET's default ECDsa format).
/// Public only because CryptoConfig accepts public types alone. The validator needs none of this: it verifies
/// with ECDsa.VerifyData over its own canonical SignedInfo.
/// </summary>
public abstract class EcdsaSignatureDescription : SignatureDescription
{
    private static readonly Lazy<bool> Registration = new(() =>
    {
        CryptoConfig.AddAlgorithm(typeof(EcdsaSha256SignatureDescription), SamlConstants.EcdsaSha256);
        CryptoConfig.AddAlgorithm(typeof(EcdsaSha384SignatureDescription), SamlConstants.EcdsaSha384);
        CryptoConfig.AddAlgorithm(typeof(EcdsaSha512SignatureDescription), SamlConstants.EcdsaSha512);
        return true;
    });

    private readonly HashAlgorithmName _hash;

    protected EcdsaSignatureDescription(HashAlgorithmName hash)
    {
        _hash = hash;
        KeyAlgorithm = typeof(ECDsa).AssemblyQualifiedName;
        DigestAlgorithm = hash.Name;
    }

    /// <summary>Registers the descriptions with CryptoConfig once per process.</summary>
    internal static void EnsureRegistered() => _ = Registration.Value;

    public override HashAlgorithm CreateDigest() => _hash.Name switch
    {
        "SHA256" => SHA256.Create(),
        "SHA384" => SHA384.Create(),
        _ => SHA512.Create(),
    };

    public override AsymmetricSignatureDeformatter CreateDeformatter(AsymmetricAlgorithm key) =>
        new EcdsaDeformatter(key as ECDsa ?? throw new CryptographicException("The key is not an ECDSA key."));

    public override AsymmetricSignatureFormatter CreateFormatter(AsymmetricAlgorithm key) =>
        new EcdsaFormatter(key as ECDsa ?? throw new CryptographicException("The key is not an ECDSA key."));

    private sealed class EcdsaDeformatter(ECDsa key) : AsymmetricSignatureDeformatter
    {
        public override void SetKey(AsymmetricAlgorithm key) => throw new NotSupportedException();

        public override void SetHashAlgorithm(string strName)
        {
        }

        public override bool VerifySignature(byte[] rgbHash, byte[] rgbSignature) => key.VerifyHash(rgbHash, rgbSignature);
    }

    private sealed class EcdsaFormatter(ECDsa key) : AsymmetricSignatureFormatter
    {
        public override void SetKey(AsymmetricAlgorithm key) => throw new NotSupportedException();

        public override void SetHashAlgorithm(string strName)
        {
        }

        public override byte[] CreateSignature(byte[] rgbHash) => key.SignHash(rgbHash);
    }
}

public sealed class EcdsaSha256SignatureDescription() : EcdsaSignatureDescription(HashAlgorithmName.SHA256);

public sealed class EcdsaSha384SignatureDescription() : EcdsaSignatureDescription(HashAlgorithmName.SHA384);

public sealed class EcdsaSha512SignatureDescription() : EcdsaSignatureDescription(HashAlgorithmName.SHA512);
