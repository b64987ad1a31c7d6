namespace GpuSiamese.Data;

/// <summary>How an image file is brought to the stored size before anything else.</summary>
public enum ImageFit
{
    /// <summary>MNIST's way (<see cref="DigitImage"/>): ink cropped, fitted into 20x20, centred by mass in 28x28, then resized to the stored size.</summary>
    Digit,
    /// <summary>The whole image stretched to the stored size with the area filter (<see cref="ImageFile.ToStored"/>).</summary>
    Stretch,
}

/// <summary>
/// How an image becomes the network's input, one definition for training data and for every command that reads an image
/// file: the file is fitted (<see cref="Fit"/>, <see cref="Invert"/>) to the <see cref="Stored"/> 8-bit shape, and a stored
/// image becomes <see cref="Input"/> floats in [0,1] by value/255 or, when <see cref="Pool"/> is 2, by MNIST's exact 2x2
/// mean pool (sum of four / 1020, as <see cref="Downsample"/>). Channels last (<see cref="ImageShape"/>); grey is one channel, RGB three.
/// </summary>
public sealed record Preprocessing(ImageShape Input, int Pool, ImageFit Fit, InvertMode Invert)
{
    /// <summary>MNIST's default: 28x28 bytes pooled 2x2 to 14x14, files read as digits (<see cref="DigitImage"/>).</summary>
    public static Preprocessing MnistDefault { get; } = new(new ImageShape(1, 14, 14), 2, ImageFit.Digit, InvertMode.Auto);

    /// <summary>The shape images are stored in: the input's, times the pool factor in height and width.</summary>
    public ImageShape Stored => Input with { Height = Input.Height * Pool, Width = Input.Width * Pool };

    /// <summary>Throws unless the shape is valid and the pool factor is 1 or 2.</summary>
    public Preprocessing Validated()
    {
        Input.Validate("input shape");
        if (Pool is not (1 or 2))
            throw new ArgumentException($"pool factor {Pool}, expected 1 or 2");
        return this;
    }

    /// <summary>Input of one stored image.</summary>
    public void ToInput(ReadOnlySpan<byte> stored, Span<float> input)
    {
        var s = Stored;
        if (stored.Length != s.Size)
            throw new ArgumentException($"expected {s.Size} stored bytes ({s}), got {stored.Length}", nameof(stored));
        if (input.Length != Input.Size)
            throw new ArgumentException($"expected {Input.Size} input values ({Input}), got {input.Length}", nameof(input));
        if (Pool == 1)
        {
            for (int i = 0; i < stored.Length; i++)
                input[i] = (float)(stored[i] / 255.0);
            return;
        }
        int h = Input.Height, w = Input.Width, ch = Input.Channels, rowStride = s.Width * ch;
        for (int r = 0; r < h; r++)
            for (int col = 0; col < w; col++)
                for (int c = 0; c < ch; c++)
                {
                    int i = 2 * r * rowStride + 2 * col * ch + c;
                    int sum = stored[i] + stored[i + ch] + stored[i + rowStride] + stored[i + rowStride + ch];
                    input[(r * w + col) * ch + c] = (float)(sum / 1020.0);
                }
    }

    /// <summary>Inputs of every image of <paramref name="images"/>, row-major [Count, Input.Size], in parallel over images.</summary>
    public float[] ToInput(LabelledImages images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Shape != Stored)
            throw new ArgumentException($"images are {images.Shape}, this preprocessing stores {Stored}", nameof(images));
        int n = images.Count, inSize = Input.Size, stSize = Stored.Size;
        var result = new float[(long)n * inSize];
        Parallel.For(0, (n + 1023) / 1024, b =>
        {
            for (int i = b * 1024; i < Math.Min(n, (b + 1) * 1024); i++)
                ToInput(images.Pixels.AsSpan(i * stSize, stSize), result.AsSpan(i * inSize, inSize));
        });
        return result;
    }

    /// <summary>
    /// The images as the network reads them, of <paramref name="classCount"/> classes: with pool 1 the stored bytes
    /// themselves (<see cref="ImageSet.FromBytes"/>: the array is shared, and the device table stays 8-bit); with pool 2 the
    /// pooled floats (MNIST's exact 14x14 values, which take as many bytes as the 28x28 bytes they come from), and, when
    /// <paramref name="keepRaw28"/> and the stored images are 1x28x28, those bytes as the originals augmentation works on.
    /// </summary>
    public ImageSet ToImageSet(LabelledImages images, int classCount, bool keepRaw28 = false)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (Pool == 1)
        {
            if (images.Shape != Input)
                throw new ArgumentException($"images are {images.Shape}, this preprocessing stores {Stored}", nameof(images));
            return ImageSet.FromBytes(Input, classCount, images.Pixels, images.Labels);
        }
        var raw = keepRaw28 && Stored == new ImageShape(1, ImageSet.RawSide, ImageSet.RawSide) ? images.Pixels : null;
        return ImageSet.FromFloats(Input, classCount, ToInput(images), images.Labels, raw);
    }

    /// <summary>The stored bytes of an image file, made as the training images were.</summary>
    public byte[] LoadStored(string path)
    {
        if (Fit == ImageFit.Stretch)
            return ImageFile.LoadStored(path, Stored, Invert);
        var raw28 = DigitImage.Load28(path, Invert);
        return FromGrey28(raw28);
    }

    /// <summary>
    /// The network's input for the image file in <paramref name="bytes"/> (an upload, or a file <see cref="ImageFile.ReadFile"/>
    /// read), made as the training images were; <paramref name="source"/> names it in messages, images over
    /// <paramref name="maxPixels"/> are refused from the header. What counts as nothing to compare is refused with an
    /// <see cref="InvalidDataException"/>: for digits (<see cref="ImageFit.Digit"/>) <see cref="DigitImage"/>'s "no digit"
    /// rules (a blank drawing, a plain page, ink everywhere; borderline images add to <paramref name="warnings"/>); for whole
    /// images (<see cref="ImageFit.Stretch"/>: photos, clothes) only a blank image (<see cref="RequireNotBlank"/>), because a
    /// photo fills its frame and has no ink or paper to find.
    /// </summary>
    public float[] ReadInput(byte[] bytes, string source, long maxPixels, List<string>? warnings)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var input = new float[Input.Size];
        if (Fit == ImageFit.Digit)
        {
            var digit = DigitImage.Read(bytes, source, Invert, maxPixels);
            warnings?.AddRange(digit.Warnings);
            // MNIST's own 14x14 is DigitImage's pool (the same sum / 1020); any other size starts from its 28x28 bytes.
            if (Input == ImageSet.DigitShape && Pool == 2)
                return digit.Image14;
            ToInput(FromGrey28(digit.Image28), input);
            return input;
        }
        var (rgba, w, h) = ImageFile.DecodeRgba(bytes, source, maxPixels);
        RequireNotBlank(rgba, w, h, source);
        ToInput(ImageFile.ToStored(rgba, w, h, Stored, Invert), input);
        return input;
    }

    /// <summary>
    /// Refuses an image that is blank to this model: its grey levels (<see cref="ImageFile.GreyOnWhite(byte[], long)"/>;
    /// for an RGB model each of R, G and B, <see cref="ImageFile.ChannelOnWhite"/>) all lie within
    /// <see cref="DigitImage.MinContrast"/> of each other. One flat colour, an empty drawing or a blank page: every model
    /// would embed it as the same meaningless point.
    /// </summary>
    public void RequireNotBlank(byte[] rgba, int width, int height, string source)
    {
        ArgumentNullException.ThrowIfNull(rgba);
        long pixels = (long)width * height;
        double range = 0;
        for (int c = 0; c < Input.Channels; c++)
        {
            float low = 1, high = 0;
            for (long i = 0; i < pixels; i++)
            {
                float v = Input.Channels == 1 ? ImageFile.GreyOnWhite(rgba, i) : ImageFile.ChannelOnWhite(rgba, i, c);
                if (v < low) low = v;
                if (v > high) high = v;
            }
            range = Math.Max(range, high - low);
        }
        if (range < DigitImage.MinContrast)
            throw new InvalidDataException(range < 1e-3
                ? $"{source}: blank image: it is one flat colour, nothing to compare"
                : string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{source}: blank image: its darkest and lightest pixels differ by {range:P1} of full scale only, nothing to compare"));
    }

    /// <summary>The network's input for an image file: <see cref="LoadStored"/>, then <see cref="ToInput(ReadOnlySpan{byte}, Span{float})"/>.</summary>
    public float[] LoadInput(string path)
    {
        var input = new float[Input.Size];
        ToInput(LoadStored(path), input);
        return input;
    }

    /// <summary>A 28x28 grey byte image (MNIST's or Fashion-MNIST's own) at the stored shape: as it is when that is 1x28x28, else area-resized and its grey copied to every channel.</summary>
    public byte[] FromGrey28(ReadOnlySpan<byte> raw28)
    {
        var s = Stored;
        if (raw28.Length != ImageSet.RawSize)
            throw new ArgumentException($"expected {ImageSet.RawSize} bytes, got {raw28.Length}", nameof(raw28));
        if (s.Channels == 1 && s.Height == ImageSet.RawSide && s.Width == ImageSet.RawSide)
            return raw28.ToArray();
        var grey = new float[raw28.Length];
        for (int i = 0; i < grey.Length; i++)
            grey[i] = raw28[i];
        var resized = AreaResample.Crop(grey, ImageSet.RawSide, 0, 0, ImageSet.RawSide, ImageSet.RawSide, s.Width, s.Height);
        var stored = new byte[s.Size];
        int pixels = s.Height * s.Width;
        for (int k = 0; k < pixels; k++)
            for (int c = 0; c < s.Channels; c++)
                stored[k * s.Channels + c] = (byte)Math.Clamp(Math.Round(resized[k]), 0, 255);
        return stored;
    }

    /// <summary>28x28 grey images (count·784 bytes) at the stored shape, in parallel; the same array when nothing changes.</summary>
    public byte[] FromGrey28All(byte[] raw, int count)
    {
        var s = Stored;
        if (s.Channels == 1 && s.Height == ImageSet.RawSide && s.Width == ImageSet.RawSide)
            return raw;
        var stored = new byte[(long)count * s.Size];
        Parallel.For(0, count, i =>
            FromGrey28(raw.AsSpan(i * ImageSet.RawSize, ImageSet.RawSize)).CopyTo(stored.AsSpan(i * s.Size, s.Size)));
        return stored;
    }

    /// <summary>One line for the output and the checkpoint, e.g. "input 1x14x14, stored 1x28x28 pooled 2x2, fit digit, invert auto, scale 1/255".</summary>
    public string Describe() =>
        $"input {Input}, stored {Stored}{(Pool == 2 ? " pooled 2x2" : "")}, fit {Fit.ToString().ToLowerInvariant()}, invert {Invert.ToString().ToLowerInvariant()}, scale 1/255";
}
