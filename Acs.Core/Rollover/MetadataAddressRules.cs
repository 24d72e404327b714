using System.Net;
using System.Net.Sockets;

namespace Acs.Core.Rollover;

/// <summary>
/// The addresses metadata is never fetched from: private, loopback, link-local (cloud metadata services live at
/// 169.254.169.254 and fd00:ec2::254), shared, multicast and reserved ranges. Checked on the address actually
/// connected to, so a name that resolves (or re-resolves) to an inside address gets nothing.
/// </summary>
public static class MetadataAddressRules
{
    private static readonly (byte[] Prefix, int Bits)[] ForbiddenV4 =
    [
        ([0, 0, 0, 0], 8), // "this network"
        ([10, 0, 0, 0], 8),
        ([100, 64, 0, 0], 10), // carrier-grade NAT; also Alibaba's metadata service 100.100.100.200
        ([127, 0, 0, 0], 8),
        ([169, 254, 0, 0], 16), // link-local, incl. the cloud metadata service 169.254.169.254
        ([172, 16, 0, 0], 12),
        ([192, 0, 0, 0], 24), // IETF protocol assignments
        ([192, 168, 0, 0], 16),
        ([198, 18, 0, 0], 15), // benchmarking
        ([224, 0, 0, 0], 4), // multicast
        ([240, 0, 0, 0], 4), // reserved, incl. broadcast
    ];

    private static readonly (byte[] Prefix, int Bits)[] ForbiddenV6 =
    [
        (new byte[16], 128), // ::
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 128), // ::1
        ([0xfc, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 7), // unique local, incl. fd00:ec2::254
        ([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 10), // link-local
        ([0xfe, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 10), // site-local (deprecated)
        ([0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 8), // multicast
    ];

    /// <summary>True when the address is not on the public internet; IPv4 inside IPv6 (mapped, compatible, NAT64, 6to4) is judged as IPv4.</summary>
    public static bool IsForbidden(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (EmbeddedIPv4(address) is { } v4)
        {
            return Matches(v4.GetAddressBytes(), ForbiddenV4);
        }

        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => Matches(address.GetAddressBytes(), ForbiddenV4),
            AddressFamily.InterNetworkV6 => Matches(address.GetAddressBytes(), ForbiddenV6),
            _ => true,
        };
    }

    public static bool IsLoopback(IPAddress address) =>
        IPAddress.IsLoopback(EmbeddedIPv4(address) ?? address);

    private static IPAddress? EmbeddedIPv4(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        var b = address.GetAddressBytes();
        // ::a.b.c.d (IPv4-compatible, deprecated), but not :: and ::1 themselves.
        if (b.Take(12).All(x => x == 0) && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] <= 1))
        {
            return new IPAddress(b[12..16]);
        }

        // 64:ff9b::/96 (NAT64) carries the IPv4 address in its last four bytes.
        if (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b.Skip(4).Take(8).All(x => x == 0))
        {
            return new IPAddress(b[12..16]);
        }

        // 2002::/16 (6to4) carries it in bytes 2-5.
        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return new IPAddress(b[2..6]);
        }

        return null;
    }

    private static bool Matches(byte[] address, (byte[] Prefix, int Bits)[] ranges)
    {
        foreach (var (prefix, bits) in ranges)
        {
            var whole = bits / 8;
            var rest = bits % 8;
            if (!address.AsSpan(0, whole).SequenceEqual(prefix.AsSpan(0, whole)))
            {
                continue;
            }

            if (rest == 0)
            {
                return true;
            }

            var mask = (byte)(0xff << (8 - rest));
            if ((address[whole] & mask) == (prefix[whole] & mask))
            {
                return true;
            }
        }

        return false;
    }
}
