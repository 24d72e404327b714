using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Acs.Core.Administration;
using Acs.Core.Saml.Encryption;
using Acs.Core.Tenants;
using FluentValidation;

namespace Acs.Core.EncryptionKeys;

/// <summary>Body of <c>POST …/sso/encryption-keys</c> (optional): a key may be added unpublished, as decrypt-only.</summary>
public sealed record CreateEncryptionKeyRequest
{
    public string? Status { get; init; } = SpEncryptionKeyStatuses.Active;
}

/// <summary>Body of <c>PATCH …/sso/encryption-keys/{id}</c>.</summary>
public sealed record UpdateEncryptionKeyRequest([property: Required] string? Status);

public sealed class CreateEncryptionKeyRequestValidator : AbstractValidator<CreateEncryptionKeyRequest>
{
    public CreateEncryptionKeyRequestValidator() =>
        RuleFor(r => r.Status).Must(SpEncryptionKeyStatuses.IsKnown).WithErrorCode("encryption_key_status_invalid")
            .WithMessage($"The status must be {SpEncryptionKeyStatuses.Active} or {SpEncryptionKeyStatuses.DecryptOnly}.");
}

public sealed class UpdateEncryptionKeyRequestValidator : AbstractValidator<UpdateEncryptionKeyRequest>
{
    public UpdateEncryptionKeyRequestValidator() =>
        RuleFor(r => r.Status).Must(SpEncryptionKeyStatuses.IsKnown).WithErrorCode("encryption_key_status_invalid")
            .WithMessage($"The status must be {SpEncryptionKeyStatuses.Active} or {SpEncryptionKeyStatuses.DecryptOnly}; remove a key with DELETE.");
}

public static class EncryptionKeyErrorCodes
{
    public const string EncryptionKeyNotFound = "encryption_key_not_found";
    public const string TooManyEncryptionKeys = "too_many_encryption_keys";
    public const string KeyEncryptionKeyNotConfigured = "key_encryption_key_not_configured";
    public const string LastEncryptionKey = "last_encryption_key";
    public const string EncryptionKeysMissing = "encryption_keys_missing";
}

/// <summary>
/// The SP encryption key use cases (Entra "Token encryption"): generate a key pair and certificate, list, change the
/// status, remove. Rollover: add the new key (active: published next to the old one), upload its certificate to the IdP
/// and let it switch, set the old one decrypt-only, later remove it.
/// </summary>
public sealed class EncryptionKeyAdministration(IEncryptionKeyStore store, ITenantDirectory directory, KeyEncryptionKeyRing ring, TimeProvider clock)
{
    public const int KeySize = 3072;
    public const int MaxKeysPerTenant = 10;
    public static readonly TimeSpan Validity = TimeSpan.FromDays(3 * 365);

    public async Task<AdminResult<IReadOnlyList<SpEncryptionKey>>> ListAsync(string subdomain, CancellationToken cancellationToken) =>
        await FindAsync(subdomain, cancellationToken) is { } tenant
            ? AdminResult<IReadOnlyList<SpEncryptionKey>>.Ok(tenant.EncryptionKeys)
            : AdminErrorCodes.TenantNotFoundError(subdomain);

    public async Task<AdminResult<SpEncryptionKey>> GetAsync(string subdomain, Guid keyId, CancellationToken cancellationToken)
    {
        if (await FindAsync(subdomain, cancellationToken) is not { } tenant)
        {
            return AdminErrorCodes.TenantNotFoundError(subdomain);
        }

        return tenant.EncryptionKeys.FirstOrDefault(k => k.Id == keyId) is { } key ? AdminResult<SpEncryptionKey>.Ok(key) : NotFound(keyId);
    }

    /// <summary>Generates an RSA-3072 key pair and a self-signed certificate for the tenant; the private key is sealed
    /// before it is stored and never returned.</summary>
    public async Task<AdminResult<SpEncryptionKey>> CreateAsync(string subdomain, CreateEncryptionKeyRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await FindAsync(subdomain, cancellationToken) is not { } tenant)
        {
            return AdminErrorCodes.TenantNotFoundError(subdomain);
        }

        if (!ring.CanSeal)
        {
            return new AdminError(AdminErrorKind.Conflict, EncryptionKeyErrorCodes.KeyEncryptionKeyNotConfigured,
                "The service has no key-encryption key, so it cannot store a private key: the operator sets Acs__EncryptionKeys__KeyEncryptionKey (see the README).");
        }

        if (tenant.EncryptionKeys.Count >= MaxKeysPerTenant)
        {
            return TooMany();
        }

        var now = clock.GetUtcNow();
        var key = Generate(tenant, request.Status!, now);
        return await store.AddAsync(tenant.Id, key, MaxKeysPerTenant, cancellationToken) switch
        {
            EncryptionKeyAddition.Added => AdminResult<SpEncryptionKey>.Ok(key),
            EncryptionKeyAddition.TooManyKeys => TooMany(),
            _ => AdminErrorCodes.TenantNotFoundError(subdomain),
        };
    }

    public async Task<AdminResult<SpEncryptionKey>> SetStatusAsync(string subdomain, Guid keyId, UpdateEncryptionKeyRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await FindAsync(subdomain, cancellationToken) is not { } tenant)
        {
            return AdminErrorCodes.TenantNotFoundError(subdomain);
        }

        if (!await store.SetStatusAsync(tenant.Id, keyId, request.Status!, clock.GetUtcNow(), cancellationToken))
        {
            return NotFound(keyId);
        }

        return await GetAsync(subdomain, keyId, cancellationToken);
    }

    public async Task<AdminError?> RemoveAsync(string subdomain, Guid keyId, CancellationToken cancellationToken)
    {
        if (await FindAsync(subdomain, cancellationToken) is not { } tenant)
        {
            return AdminErrorCodes.TenantNotFoundError(subdomain);
        }

        return await store.RemoveAsync(tenant.Id, keyId, cancellationToken) switch
        {
            EncryptionKeyRemoval.Removed => null,
            EncryptionKeyRemoval.LastKeyWhileRequired => new AdminError(AdminErrorKind.Conflict, EncryptionKeyErrorCodes.LastEncryptionKey,
                "This is the tenant's last encryption key and the tenant requires encrypted assertions: set encryptedAssertions to optional "
                + "with PUT …/sso first, or add and activate the next key."),
            _ => NotFound(keyId),
        };
    }

    private SpEncryptionKey Generate(Tenant tenant, string status, DateTimeOffset now)
    {
        var id = Guid.CreateVersion7(now);
        using var rsa = RSA.Create(KeySize);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={tenant.Subdomain} SAML token encryption"), rsa,
            HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment, false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        // Whole seconds: that is what the certificate holds.
        var notBefore = DateTimeOffset.FromUnixTimeSeconds(now.AddMinutes(-5).ToUnixTimeSeconds());
        using var certificate = request.CreateSelfSigned(notBefore, notBefore + Validity);
        var der = certificate.RawData;
        var pkcs8 = rsa.ExportPkcs8PrivateKey();
        try
        {
            return new SpEncryptionKey(id, status, der, Convert.ToHexStringLower(SHA256.HashData(der)), notBefore, notBefore + Validity, now, now,
                ring.Seal(tenant.Id, id, pkcs8));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    private async Task<Tenant?> FindAsync(string subdomain, CancellationToken cancellationToken) =>
        SubdomainRules.IsWellFormed(subdomain) ? await directory.FindBySubdomainAsync(subdomain, cancellationToken) : null;

    private static AdminError NotFound(Guid keyId) =>
        new(AdminErrorKind.NotFound, EncryptionKeyErrorCodes.EncryptionKeyNotFound, $"The tenant has no encryption key '{keyId}'.");

    private static AdminError TooMany() =>
        new(AdminErrorKind.Conflict, EncryptionKeyErrorCodes.TooManyEncryptionKeys,
            $"The tenant already has {MaxKeysPerTenant} encryption keys; remove one that no IdP uses any more.");

    /// <summary>The PUT …/sso check: requiring encrypted assertions without a key would refuse every sign-in.</summary>
    public static AdminError? CheckPolicy(Tenant tenant, EncryptedAssertionPolicy policy) =>
        policy == EncryptedAssertionPolicy.Required && tenant.EncryptionKeys.Count == 0
            ? new AdminError(AdminErrorKind.Conflict, EncryptionKeyErrorCodes.EncryptionKeysMissing,
                "The tenant has no encryption key: create one (POST …/sso/encryption-keys) and upload its certificate to the IdP before requiring encrypted assertions.",
                "encryptedAssertions")
            : null;
}

/// <summary>Re-seals every private key sealed under a KEK other than the current one (after a KEK rotation).</summary>
public sealed class KeyEncryptionKeyRotation(IEncryptionKeyStore store, KeyEncryptionKeyRing ring)
{
    /// <returns>How many keys were re-sealed, and how many could not be opened with any configured KEK.</returns>
    public async Task<(int Resealed, int Unreadable)> ResealAsync(CancellationToken cancellationToken)
    {
        if (ring.CurrentId is not { } current)
        {
            return (0, 0);
        }

        var resealed = 0;
        var unreadable = 0;
        foreach (var record in await store.ListSealedUnderOtherKeksAsync(current, cancellationToken))
        {
            var pkcs8 = ring.TryUnseal(record.TenantId, record.KeyId, record.PrivateKey);
            if (pkcs8 is null)
            {
                unreadable++;
                continue;
            }

            try
            {
                var replacement = ring.Seal(record.TenantId, record.KeyId, pkcs8);
                if (await store.ResealAsync(record.TenantId, record.KeyId, record.PrivateKey, replacement, cancellationToken))
                {
                    resealed++;
                }
            }
            finally
            {
                CryptographicOperations.ZeroMemory(pkcs8);
            }
        }

        return (resealed, unreadable);
    }
}
