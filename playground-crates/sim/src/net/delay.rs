//! How long a message spends on the wire.

use crate::rng::SplitMix64;
use crate::time::Span;

/// A link's delay distribution: each message draws its own delay from it.
///
/// Real delays are not a constant. Most messages take about the same time, and a few take far
/// longer (a queue somewhere, a retransmission); that tail is what timeouts and hedged requests
/// are about, so the choice of distribution is part of the experiment.
#[derive(Clone, Copy, Debug)]
pub enum Delay {
    /// Every message takes exactly this long: for examples where only the order matters.
    /// Draws nothing.
    Fixed(Span),
    /// Uniform between `min` and `max`, both included: plain jitter. One draw.
    Uniform {
        /// The shortest delay.
        min: Span,
        /// The longest delay.
        max: Span,
    },
    /// A floor plus an exponential tail with the given mean: propagation time you cannot beat,
    /// plus queueing that is usually short and occasionally long. One draw.
    Exponential {
        /// The fixed part (the speed of light and the stack).
        min: Span,
        /// The mean of the random part above `min`.
        mean_extra: Span,
    },
    /// A bell curve around `mean`, cut at zero. Two draws.
    Normal {
        /// The typical delay.
        mean: Span,
        /// How far delays typically stray from it.
        std_dev: Span,
    },
    /// Any rule you write: a plain function of the generator (for example, 99% fast and 1% very
    /// slow, to study tail latency).
    Custom(fn(&mut SplitMix64) -> Span),
}

impl Delay {
    /// Draws one message's delay.
    pub fn sample(&self, rng: &mut SplitMix64) -> Span {
        match *self {
            Delay::Fixed(span) => span,
            Delay::Uniform { min, max } => {
                assert!(min <= max, "Delay::Uniform: min {min} is above max {max}");
                Span::from_micros(rng.range(min.as_micros()..max.as_micros() + 1))
            }
            Delay::Exponential { min, mean_extra } => {
                min + Span::from_micros_f64(rng.exponential(mean_extra.as_micros() as f64))
            }
            Delay::Normal { mean, std_dev } => Span::from_micros_f64(
                rng.normal(mean.as_micros() as f64, std_dev.as_micros() as f64),
            ),
            Delay::Custom(draw) => draw(rng),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_includes_both_ends_and_nothing_outside() {
        let delay = Delay::Uniform {
            min: Span::from_micros(10),
            max: Span::from_micros(12),
        };
        let mut rng = SplitMix64::new(4);
        let mut seen = [false; 3];
        for _ in 0..300 {
            let micros = delay.sample(&mut rng).as_micros();
            assert!((10..=12).contains(&micros));
            seen[(micros - 10) as usize] = true;
        }
        assert_eq!(seen, [true; 3]);
    }

    #[test]
    fn exponential_never_beats_its_floor() {
        let delay = Delay::Exponential {
            min: Span::from_millis(1),
            mean_extra: Span::from_millis(5),
        };
        let mut rng = SplitMix64::new(9);
        assert!((0..1000).all(|_| delay.sample(&mut rng) >= Span::from_millis(1)));
    }
}
