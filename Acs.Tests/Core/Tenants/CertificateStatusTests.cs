using Acs.Core.Tenants;

namespace Acs.Tests.Core.Tenants;

public sealed class CertificateStatusTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);

    [TestCase(31.0, "valid", 31)]
    [TestCase(30.0001, "valid", 31)]
    [TestCase(30.0, "expiring", 30)]
    [TestCase(0.0001, "expiring", 1)]
    [TestCase(0.0, "expired", 0)]
    [TestCase(-2.0, "expired", -2)]
    public void Status_AndDays_Agree(double daysLeft, string status, int days)
    {
        var notAfter = Now.AddDays(daysLeft);

        Assert.That(CertificateStatus.Of(notAfter, Now), Is.EqualTo(status));
        Assert.That(CertificateStatus.ExpiresInDays(notAfter, Now), Is.EqualTo(days));
    }
}
