using System.Net;
using Acs.Core.Rollover;

namespace Acs.Tests.Core.Rollover;

public sealed class MetadataAddressRulesTests
{
    [TestCase("10.0.0.1")]
    [TestCase("10.255.255.255")]
    [TestCase("172.16.0.1")]
    [TestCase("172.31.255.254")]
    [TestCase("192.168.1.10")]
    [TestCase("127.0.0.1")]
    [TestCase("127.10.20.30")]
    [TestCase("169.254.0.1")]
    [TestCase("169.254.169.254")]
    [TestCase("100.100.100.200")]
    [TestCase("0.0.0.0")]
    [TestCase("224.0.0.1")]
    [TestCase("255.255.255.255")]
    [TestCase("::1")]
    [TestCase("::")]
    [TestCase("fc00::1")]
    [TestCase("fd00:ec2::254")]
    [TestCase("fe80::1")]
    [TestCase("febf::1")]
    [TestCase("ff02::1")]
    [TestCase("::ffff:10.0.0.1")]
    [TestCase("::ffff:127.0.0.1")]
    [TestCase("::ffff:169.254.169.254")]
    [TestCase("::ffff:192.168.0.1")]
    [TestCase("::127.0.0.1")]
    [TestCase("64:ff9b::a9fe:a9fe")]
    [TestCase("2002:a9fe:a9fe::1")]
    public void IsForbidden_InternalAddress_IsTrue(string address) =>
        Assert.That(MetadataAddressRules.IsForbidden(IPAddress.Parse(address)), Is.True);

    [TestCase("20.190.128.10")] // login.microsoftonline.com's range
    [TestCase("8.8.8.8")]
    [TestCase("172.15.255.255")]
    [TestCase("172.32.0.1")]
    [TestCase("192.169.0.1")]
    [TestCase("169.255.0.1")]
    [TestCase("11.0.0.1")]
    [TestCase("2603:1026::1")]
    [TestCase("2001:4860:4860::8888")]
    [TestCase("::ffff:8.8.8.8")]
    [TestCase("fbff::1")]
    [TestCase("fec0::1")]
    public void IsForbidden_PublicAddress_IsFalse(string address)
    {
        var parsed = IPAddress.Parse(address);
        // fec0::/10 is deprecated site-local: refused as well; the rest are public.
        Assert.That(MetadataAddressRules.IsForbidden(parsed), Is.EqualTo(address == "fec0::1"));
    }

    [TestCase("127.0.0.1", true)]
    [TestCase("::1", true)]
    [TestCase("::ffff:127.0.0.1", true)]
    [TestCase("10.0.0.1", false)]
    [TestCase("169.254.169.254", false)]
    public void IsAllowed_WithLoopbackAllowedForTests_AllowsOnlyLoopback(string address, bool allowed) =>
        Assert.That(Acs.Api.Rollover.SafeConnector.IsAllowed(IPAddress.Parse(address), allowLoopback: true), Is.EqualTo(allowed));

    [Test]
    public void IsAllowed_Loopback_WithoutTestSetting_IsFalse() =>
        Assert.That(Acs.Api.Rollover.SafeConnector.IsAllowed(IPAddress.Loopback, allowLoopback: false), Is.False);
}
