//! Rules the kernel must keep for every input, checked with proptest.

use proptest::prelude::*;
use sim::{
    Context, Delay, EventQueue, Input, Link, Node, NodeId, Partition, Span, SplitMix64, Time, World,
};

/// A node that sends one numbered message to its peer every millisecond and reports every
/// message it receives, with the time: enough to see what a network lets through.
struct Chatter;

impl Node for Chatter {
    type Msg = u64;
    type Timer = u64;
    type Durable = ();
    type Output = (NodeId, u64);

    fn handle(&mut self, input: Input<u64, u64>, ctx: &mut Context<'_, Self>) {
        let peer = NodeId::new(1 - ctx.me().index());
        match input {
            Input::Start => ctx.set_timer(Span::ZERO, 0),
            Input::Timer(n) => {
                ctx.send(peer, n);
                ctx.set_timer(Span::from_millis(1), n + 1);
            }
            Input::Message { from, msg } => ctx.output((from, msg)),
        }
    }
}

fn lossy_link(loss: f64, duplicate: f64, reorder: f64) -> Link {
    Link::new(Delay::Uniform {
        min: Span::from_micros(100),
        max: Span::from_millis(3),
    })
    .with_loss(loss)
    .with_duplication(duplicate)
    .with_reordering(reorder)
}

fn chatter_run(seed: u64, link: Link, partition: Option<Partition>) -> World<Chatter> {
    let mut world = World::new(seed);
    world.set_default_link(link);
    world.add_node("a", |_: &()| Chatter);
    world.add_node("b", |_: &()| Chatter);
    if let Some(partition) = partition {
        world.partition(partition);
    }
    world.run_until(Time::from_millis(200));
    world
}

proptest! {
    #[test]
    fn equal_time_events_pop_in_insertion_order(times in prop::collection::vec(0u64..5, 1..200)) {
        let mut queue = EventQueue::new();
        for (index, &at) in times.iter().enumerate() {
            queue.push(Time::from_micros(at), index);
        }
        let popped: Vec<(Time, usize)> = std::iter::from_fn(|| queue.pop()).collect();
        let mut expected: Vec<(Time, usize)> = times
            .iter()
            .enumerate()
            .map(|(index, &at)| (Time::from_micros(at), index))
            .collect();
        expected.sort(); // by time, then by insertion index: exactly the queue's promise
        prop_assert_eq!(popped, expected);
    }

    #[test]
    fn a_partitioned_link_delivers_nothing_until_it_heals(
        seed in any::<u64>(),
        start in 0u64..150,
        length in 1u64..100,
        loss in 0.0f64..0.5,
        reorder in 0.0f64..1.0,
    ) {
        let (start, heal) = (Time::from_millis(start), Time::from_millis(start + length));
        let (a, b) = (NodeId::new(0), NodeId::new(1));
        let world = chatter_run(
            seed,
            lossy_link(loss, 0.1, reorder),
            Some(Partition::between(start, heal, &[a], &[b])),
        );
        for record in world.outputs() {
            prop_assert!(
                record.at < start || record.at >= heal,
                "delivered at {} inside the partition {}..{}", record.at, start, heal
            );
        }
        // And the link works again afterwards: something sent after the heal gets through.
        if heal < Time::from_millis(190) && loss < 0.5 {
            prop_assert!(world.outputs().iter().any(|record| record.at >= heal));
        }
    }

    #[test]
    fn a_fifo_link_never_reorders(seed in any::<u64>(), loss in 0.0f64..0.5, duplicate in 0.0f64..0.5) {
        let world = chatter_run(seed, lossy_link(loss, duplicate, 0.0), None);
        for sender in [NodeId::new(0), NodeId::new(1)] {
            let received: Vec<u64> = world
                .outputs()
                .iter()
                .filter(|record| record.output.0 == sender)
                .map(|record| record.output.1)
                .collect();
            prop_assert!(received.windows(2).all(|pair| pair[0] <= pair[1]), "{:?}", received);
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_run(seed in any::<u64>(), loss in 0.0f64..0.5, reorder in 0.0f64..1.0) {
        let run = |seed| {
            let world = chatter_run(seed, lossy_link(loss, 0.1, reorder), None);
            (world.outputs().to_vec(), world.stats())
        };
        prop_assert_eq!(run(seed), run(seed));
    }

    #[test]
    fn range_and_index_stay_in_bounds(seed in any::<u64>(), low in 0u64..1_000, width in 1u64..1_000) {
        let mut rng = SplitMix64::new(seed);
        for _ in 0..100 {
            let x = rng.range(low..low + width);
            prop_assert!((low..low + width).contains(&x));
            prop_assert!(rng.index(width as usize) < width as usize);
            let f = rng.uniform(-1.0, 1.0);
            prop_assert!((-1.0..1.0).contains(&f));
        }
    }
}

#[test]
fn reordering_links_do_reorder() {
    // The FIFO property above would pass for a network that never reorders anything; this is the
    // other half: with reordering on, some message does overtake an earlier one.
    let world = chatter_run(3, lossy_link(0.0, 0.0, 1.0), None);
    let received: Vec<u64> = world
        .outputs()
        .iter()
        .filter(|record| record.output.0 == NodeId::new(0))
        .map(|record| record.output.1)
        .collect();
    assert!(received.windows(2).any(|pair| pair[0] > pair[1]));
}

#[test]
fn loss_and_duplication_show_in_the_counts() {
    let world = chatter_run(11, lossy_link(0.3, 0.2, 0.0), None);
    let stats = world.stats();
    assert_eq!(
        stats.sent, 402,
        "two nodes, one message at each of 0, 1, ..., 200 ms"
    );
    assert!((90..150).contains(&stats.lost), "{stats:?}");
    assert!(stats.duplicated > 20, "{stats:?}");
    assert_eq!(stats.delivered, world.outputs().len() as u64);
}
