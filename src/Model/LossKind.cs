namespace GpuSiamese.Model;

/// <summary>
/// The loss a run trains with (<c>--loss</c>). The two contrastive losses are pair losses
/// (<see cref="Backends.IBackend.PairLoss"/>); the triplet loss trains on triplets (<see cref="Backends.IBackend.TripletLoss"/>).
/// </summary>
public enum LossKind
{
    /// <summary>Chopra 2005: L = (1−Y)·(2/Q)·E² + Y·2Q·exp(−2.77·E/Q); parameter = Q.</summary>
    ContrastiveBounded = 0,
    /// <summary>Hadsell 2006: L = (1−Y)·E² + Y·max(m − E, 0)²; parameter = m.</summary>
    ContrastiveMargin = 1,
    /// <summary>max(d(a,p) − d(a,n) + m, 0) over triplets; parameter = m.</summary>
    Triplet = 2,
}
