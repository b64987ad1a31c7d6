namespace GpuSiamese.Tests.Data;

/// <summary>
/// The fuzzers' mutations of a valid file: random bytes, flipped bytes (anywhere or in the header, where sizes
/// live), extreme 32-bit fields, truncation, appended, inserted, removed or duplicated ranges, or the file untouched.
/// </summary>
public sealed class ByteMutator(Random random)
{
    /// <summary>One of several mutations of a valid file, or (one input in ten) random bytes.</summary>
    public byte[] Mutate(byte[] seed)
    {
        var data = new List<byte>(seed);
        int choice = random.Next(10);
        switch (choice)
        {
            case 0: // random bytes
                var bytes = new byte[random.Next(0, 300)];
                random.NextBytes(bytes);
                return bytes;
            case 1: // flip a few bytes anywhere
                for (int k = random.Next(1, 9); k > 0 && data.Count > 0; k--)
                    data[random.Next(data.Count)] ^= (byte)random.Next(1, 256);
                break;
            case 2: // flip bytes in the header, where sizes live
                for (int k = random.Next(1, 4); k > 0 && data.Count > 0; k--)
                    data[random.Next(Math.Min(data.Count, 140))] = (byte)random.Next(256);
                break;
            case 3: // a 32-bit field overwritten with an extreme or random value
                if (data.Count >= 4)
                {
                    int at = random.Next(Math.Min(data.Count - 3, 140));
                    uint v = random.Next(4) switch { 0 => 0, 1 => 0xFFFFFFFF, 2 => 0x7FFFFFFF, _ => (uint)random.Next() };
                    data[at] = (byte)(v >> 24); data[at + 1] = (byte)(v >> 16); data[at + 2] = (byte)(v >> 8); data[at + 3] = (byte)v;
                }
                break;
            case 4: // truncated
                data = data.Take(random.Next(data.Count + 1)).ToList();
                break;
            case 5: // bytes appended
                var tail = new byte[random.Next(1, 64)];
                random.NextBytes(tail);
                data.AddRange(tail);
                break;
            case 6: // bytes inserted
                var insert = new byte[random.Next(1, 16)];
                random.NextBytes(insert);
                data.InsertRange(random.Next(data.Count + 1), insert);
                break;
            case 7: // a range removed
                if (data.Count > 0)
                {
                    int from = random.Next(data.Count);
                    data.RemoveRange(from, random.Next(1, Math.Min(64, data.Count - from) + 1));
                }
                break;
            case 8: // a range duplicated
                if (data.Count > 0)
                {
                    int from = random.Next(data.Count);
                    var slice = data.GetRange(from, random.Next(1, Math.Min(64, data.Count - from) + 1));
                    data.InsertRange(random.Next(data.Count + 1), slice);
                }
                break;
            default: // untouched: the valid file itself must load
                break;
        }
        return [.. data];
    }
}
