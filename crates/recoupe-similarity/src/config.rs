//! Thresholds and weights of scoring, labelling and clustering, with documented defaults.
//!
//! The defaults were calibrated on `../shared/eval/ecbplus-dev.jsonl` only (see the crate
//! README for the command and the figures); `uci-news-headlines` and the seed articles
//! were used only to check that the same defaults transfer.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Settings of [`crate::score`] and [`crate::cluster`](mod@crate::cluster); every field has a default, so a
/// config file may set only what it changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimilarityConfig {
    /// Neighbours kept per article by the cosine search (candidate pairs). Default 30.
    pub neighbours: usize,
    /// Candidate pairs below this embedding cosine are not scored. Default 0.3.
    pub min_cosine: f32,
    /// Weight of the embedding cosine in the story score; the rare-token overlap gets
    /// `1 - embedding_weight`. Default 0.2 (ecbplus-dev, chosen by both topic folds).
    pub embedding_weight: f32,
    /// Centre the embedding cosine on the batch's mean pair cosine (see
    /// [`crate::score::Corpus::centred`]). Default true.
    pub centre_cosine: bool,
    /// Weight multiplier of tokens flagged as names or places in the rare-token vector.
    /// Default 2.
    pub name_weight: f32,
    /// Weight multiplier of tokens flagged as numbers. Default 2.
    pub number_weight: f32,
    /// Tokens found in more than this fraction of the batch carry no weight (they name
    /// the topic, not the event); see `min_rare_cutoff` for small
    /// batches. Default 0.03 (about one event's share of ecbplus-dev).
    pub max_document_frequency: f32,
    /// Tokens found in at most this many documents always count as rare, whatever
    /// `max_document_frequency` says (a fraction: 3 % of a batch of 200 is 6 documents,
    /// fewer than one story of ecbplus-dev has, so the names of the batch's larger
    /// stories would weigh nothing). Default 13 (was 10 until session 4): on the
    /// ecbplus-dev tuning half run as its own batch of 226 articles, B-cubed F1 0.932 ->
    /// 0.942 with MiniLM and 0.881 -> 0.907 with e5, the only value tried (10, 12, 13,
    /// 14, 15) that lowers neither model on any tuning measure; batches of 433+ articles,
    /// where 3 % is above it, are unchanged (crate README, "Session 4").
    pub min_rare_cutoff: f32,
    /// In a batch of short texts (median token count below `long_text_tokens`), widen
    /// the `max_document_frequency` cut-off by `long_text_tokens / median` (headlines of
    /// ~10 tokens: 4x). The cut-off drops topic words because a long article has event
    /// details left to tell two events apart; a headline names its story by one or two
    /// tokens, and a large story's name is in more than 3 % of a batch of headlines.
    /// No new constant: it reuses `long_text_tokens`. Default true (ecbplus-dev and the
    /// seed articles unchanged, their median is above 40 tokens; uci-news-headlines
    /// B-cubed F1 +0.04 with both models, a transfer check, nothing fitted on it).
    pub short_text_keeps_common_names: bool,
    /// Average-link threshold on the story score for two groups of long articles to be
    /// one story. Default 0.16 (ecbplus-dev with the real tokenizer: the topic folds
    /// choose 0.16-0.17 with MiniLM and 0.14-0.15 with e5; 0.16 is within 0.01 B-cubed
    /// F1 of the best for both models).
    pub story_threshold: f32,
    /// A merge needs an average score of at least this times the mean score inside
    /// the groups (the lower of the two when both have pairs); 0 disables the check.
    /// Default 0 (off: on ecbplus-dev every ratio tried, 0.5-0.9, lowered B-cubed F1;
    /// 0.6 separates the seed articles with both models but costs 0.02-0.03 B-cubed F1
    /// on ecbplus-dev and 0.06-0.08 on uci-news-headlines).
    pub cohesion_ratio: f32,
    /// Average-link threshold used instead of `story_threshold` when the caller gives
    /// no tokens (the score is then the centred embedding cosine alone). Default 0.46
    /// (best cosine-only threshold on ecbplus-dev with all-MiniLM-L6-v2).
    pub cosine_only_threshold: f32,
    /// Token count at which a text counts as long; shorter texts get a lower threshold
    /// (see [`SimilarityConfig::threshold_for`]). Default 40 tokens.
    pub long_text_tokens: f32,
    /// How much lower the threshold is for a one-token text than for a long one; it
    /// shrinks with the square root of the length ratio. Default 0.1.
    pub short_text_discount: f32,
    /// Days two dated articles may be apart at no cost. Default 3.
    pub date_grace_days: f32,
    /// Score removed per further day between two dated articles, up to
    /// `max_date_penalty`. Default 0.02.
    pub date_penalty_per_day: f32,
    /// Largest date penalty. Default 0.3.
    pub max_date_penalty: f32,
    /// Share of the rare-token overlap given to the entity view: the IDF-weighted
    /// (smoothed, `ln((N + 1) / (df + 1))`) overlap of names and numbers only, with the
    /// entities of one article alone kept in its norm (see `entity_hapaxes`).
    /// 0 turns the view off. Default 0.2 (ecbplus-dev at the default threshold: B-cubed
    /// F1 +0.000 MiniLM / +0.003 e5 over 0, 0.3-0.7 lower; used in batches of
    /// `large_batch_documents` or more).
    pub entity_weight: f32,
    /// Share of the entity view in small batches, where document frequencies cannot
    /// tell a topic's ordinary words from an event's (in a batch of five, any word
    /// shared by two articles looks rare): used up to `small_batch_documents`, then
    /// interpolated in `ln N` down to `entity_weight` at `large_batch_documents` (see
    /// [`SimilarityConfig::entity_share`]). Default 0.65: the seed articles (the only
    /// small labelled batch) come out exact with both models for shares 0.6-0.7 at the
    /// default threshold; set from them, not calibrated on held-out data.
    pub small_batch_entity_weight: f32,
    /// Batches up to this many articles use `small_batch_entity_weight`. Default 10.
    pub small_batch_documents: f32,
    /// Batches of at least this many articles use `entity_weight`. Default 100.
    pub large_batch_documents: f32,
    /// Apply the `max_document_frequency` cut-off in the entity view too (otherwise its
    /// smoothed IDF alone weighs common names and numbers down). Default true (false
    /// needs a higher threshold and then helps one model only on ecbplus-dev: e5 0.949
    /// B-cubed F1 at entity weight 0.3 and threshold 0.18, where MiniLM drops to 0.890).
    pub entity_df_cutoff: bool,
    /// Keep names and numbers found in one article only in the entity view's norm, so
    /// that an article about other people shares little of its entity mass. Default
    /// true (false loses the seed articles and 0.01-0.015 B-cubed F1 on ecbplus-dev).
    pub entity_hapaxes: bool,
    /// Cap on `sqrt(tf)` of an entity in the entity view (a name repeated ten times is
    /// not ten times the evidence). Default 2 (not tuned).
    pub entity_tf_cap: f32,
    /// Use the smoothed IDF `ln((N + 1) / (df + 1))` in the word view too (instead of
    /// `ln(N / df)`): a word in every document weighs 0 in a batch of any size.
    /// Default true (ecbplus-dev at the default threshold: B-cubed F1 +0.000 MiniLM /
    /// +0.002 e5).
    pub smoothed_idf: bool,
    /// Lexical Jaccard at or above which a pair is labelled `copy`. Default 0.8.
    pub copy_jaccard: f32,
    /// Lexical Jaccard at or above which a pair is labelled `rewrite` (below `copy`).
    /// Default 0.3.
    pub rewrite_jaccard: f32,
    /// Centred embedding cosine (see [`crate::score::Corpus::centred`]) at or above which
    /// a pair with lower Jaccard is still labelled `rewrite`. Centred, not raw: e5 puts
    /// every same-topic pair at a raw 0.95+, and a rewrite is one that stands out from
    /// the batch's background, not one above a model-specific constant. Default 0.9.
    pub rewrite_cosine: f32,
    /// Second stage after average-link (see [`crate::split`]): cut a story of long texts
    /// in two when the names and numbers found in some but not most of its members (its
    /// own document frequencies) separate it into two groups much closer inside than
    /// between, each with names of its own (two events of one kind sharing their main
    /// names). Needs tokens. Default true, with the conservative `event_split_ratio`
    /// 0.2: it cuts only stark merges (ecbplus-dev full batch +0.012 B-cubed F1 with
    /// MiniLM, e5 and both halves unchanged; see the crate README, "Session 3").
    pub event_split: bool,
    /// Each part of a cut story has at least this many members, and a token counts in
    /// the local view when found in at least this many (2 at least). Default 3 (tuning
    /// half: 2 and 4 lower with both models).
    pub event_split_min_size: usize,
    /// A story is cut when the mean local similarity between the two parts is at most
    /// this times the lower of the two mean similarities inside them. Default 0.2.
    /// The tuning half picked 0.35 (0.3 changes nothing there, 0.4 cuts single events),
    /// but 0.35 lowered the held-out half (B-cubed F1 -0.004 MiniLM / -0.009 e5 as a
    /// batch of its own), so the default keeps only the stark cuts, which leave the
    /// held-out half unchanged.
    pub event_split_ratio: f32,
    /// Local view of the event split: tokens found in more than this fraction of the
    /// story's members weigh nothing (they name the story, not one of its events).
    /// Default 0.6 (tuning half; 0.5 and 0.7 lower with both models).
    pub event_split_max_df: f32,
    /// Weight of the centred embedding cosine in the event split's local similarity;
    /// the local overlap gets the rest. Default 0 (0.2 and 0.5 separate merged events
    /// less well from single ones on ecbplus-dev: inside one topic the embedding puts
    /// two events as close as two reports of one).
    pub event_split_embedding_weight: f32,
    /// A story is cut only when each part has at least this many names or numbers
    /// found in half of its members or more and in none of the other part's (the other
    /// boxer, the other secretary, the other year). Default 5 (tuning half: 3-4 cut a
    /// single event, 6 misses a merge).
    pub event_split_min_exclusive: usize,
    /// Score a separate topic as a batch of its own: a group of articles joined by
    /// candidate edges of centred cosine above `topic_block_link`, with no such edge to
    /// the rest of the batch and a mean centred cosine inside of at least
    /// `topic_block_cohesion`, gets its own background cosine and document frequencies,
    /// and its articles are clustered only among themselves. Articles unrelated to a
    /// topic then cannot change its result: without blocks one unrelated article lowers
    /// the batch background and raises the IDF of the topic's common words, and the
    /// seed articles with one unrelated article came out as one story. Needs the
    /// neighbour lists ([`crate::score::CorpusBuilder::neighbours`]) and the tokens
    /// ([`crate::score::CorpusBuilder::tokens`]): on the cosine alone, centred on a
    /// block's own mean, a block that is one story would be cut apart, so a batch
    /// without tokens is always one block. Default true.
    pub topic_blocks: bool,
    /// Centred cosine above which a candidate edge links two articles into one topic
    /// block. Default 0.2 (see the crate README, "Session 3").
    pub topic_block_link: f32,
    /// Mean centred cosine inside a group at or above which it is split off as a topic
    /// block (a single-topic batch has a mean of 0 by construction, a group split off
    /// by chance stays below). Default 0.5 (see the crate README, "Session 3").
    pub topic_block_cohesion: f32,
    /// Smallest group split off as a topic block. A group of two has its own pair as
    /// its background (centred cosine 0) and shares no word with a positive smoothed
    /// IDF, so two reports of one story in a block of their own could never merge.
    /// Default 3 (the smallest batch with a background of more than one pair).
    pub topic_block_min_documents: usize,
    /// Pseudo-documents drawn from the caller's general-language background
    /// ([`crate::CorpusBuilder::prior`], see [`crate::prior`]) added to the batch's
    /// document frequencies in the smoothed IDF, in batches of at most
    /// `prior_max_documents` articles. In a batch of two or three reports of one story
    /// every name they share is in every document and weighs 0 on the batch's own
    /// frequencies; with the prior it keeps the weight of its rarity in the language.
    /// 0 turns the prior off; ignored without a prior. Default 3 (ecbplus-dev tuning
    /// half, calibrate_stories `--small`: the first 2 / 3 articles of a story come out
    /// as one story in 13/18 / 5-6/18 batches, 0-1/18 without; 5 merges 5 of 20 pairs
    /// of two events of one topic, 3 merges 1). Cost: any 2 or 3 of the seed articles
    /// alone come out as one story, whatever their meeting (see the crate README,
    /// "Session 4: background prior").
    pub prior_documents: f32,
    /// Largest batch (the whole batch, not a topic block) the background prior applies
    /// to; larger batches keep their own frequencies alone. Default 3: a blend that
    /// fades with `N` (tried up to 100 articles) either merged the seed articles (003
    /// into 000-002 with e5 from 2 pseudo-documents on their cleaned text) or, at a
    /// seed-safe 1.5, cut more stories of 3-10 articles than it joined; at 4, 8
    /// pseudo-documents merge 2 of 20 pairs of events in batches of 2 + 2.
    pub prior_max_documents: usize,
    /// Frequency per running word given to tokens absent from the prior's table
    /// (names, numbers, rare words). Default 1e-7 (wordfreq's small lists stop at 1e-6).
    pub prior_unlisted_frequency: f32,
    /// With a prior, tokens of one document stay in the word view's norm at this
    /// share of their prior weight (as `entity_hapaxes` keeps them in the entity
    /// view): a pair sharing one rare word among many unshared ones stays apart.
    /// 0 drops them (as without a prior). Default 1 (with a prior on batches of every
    /// size, 0.25-0.75 lost the seed articles at every `prior_documents` tried, 2-6).
    pub prior_hapax_weight: f32,
    /// Pseudo-pairs at the caller's model background
    /// ([`crate::CorpusBuilder::background_prior`]) blended into the batch's mean pair
    /// cosine: `(P b + m b0) / (P + m)` with `P = N (N - 1) / 2`. Ignored without a
    /// model background. Default 0 (off: 0.5 pseudo-pairs at the ecbplus-dev tuning
    /// half's mean cosine already merge the seed articles with e5; the pipeline passes
    /// no model background).
    pub prior_background_pairs: f32,
    /// Weight of the neighbourhood view (see [`crate::score::Corpus::neighbourhood`]):
    /// the cosine between two articles' neighbourhood profiles (each article's
    /// `neighbourhood_size` best-scoring candidate neighbours in its topic block, itself
    /// included), centred on its block's mean, times this weight, is added to the story
    /// score. Two reports of one event are near the same reports; an article of the
    /// other event of the topic is near the other event's. Needs the neighbour lists
    /// ([`crate::score::CorpusBuilder::neighbours`]). 0 turns it off. Default 0.2
    /// (session 7; ecbplus-dev B-cubed F1, full batch MiniLM 0.942 -> 0.953, e5 0.927 ->
    /// 0.952; held-out half as its own batch 0.940 -> 0.949 and 0.934 -> 0.955). The
    /// tuning half alone would take 0.5, but from 0.3 the full MiniLM batch merges two
    /// topics (19_ecb with 8_ecbplus): 0.2 is the largest weight tried that merges no two
    /// topics (crate README, "Session 7").
    pub neighbourhood_weight: f32,
    /// Neighbours in an article's neighbourhood profile. Default 5 (tuning half at the
    /// default weight and threshold, mean B-cubed F1 of both models, own batch and in
    /// the full batch: 0.952, against 0.944 with 3 and 0.950 with 8).
    pub neighbourhood_size: usize,
}

impl Default for SimilarityConfig {
    fn default() -> Self {
        Self {
            neighbours: 30,
            min_cosine: 0.3,
            embedding_weight: 0.2,
            centre_cosine: true,
            name_weight: 2.0,
            number_weight: 2.0,
            max_document_frequency: 0.03,
            min_rare_cutoff: 13.0,
            short_text_keeps_common_names: true,
            story_threshold: 0.16,
            cohesion_ratio: 0.0,
            cosine_only_threshold: 0.46,
            long_text_tokens: 40.0,
            short_text_discount: 0.1,
            date_grace_days: 3.0,
            date_penalty_per_day: 0.02,
            max_date_penalty: 0.3,
            entity_weight: 0.2,
            small_batch_entity_weight: 0.65,
            small_batch_documents: 10.0,
            large_batch_documents: 100.0,
            entity_df_cutoff: true,
            entity_hapaxes: true,
            entity_tf_cap: 2.0,
            smoothed_idf: true,
            copy_jaccard: 0.8,
            rewrite_jaccard: 0.3,
            rewrite_cosine: 0.9,
            event_split: true,
            event_split_min_size: 3,
            event_split_ratio: 0.2,
            event_split_max_df: 0.6,
            event_split_embedding_weight: 0.0,
            event_split_min_exclusive: 5,
            topic_blocks: true,
            topic_block_link: 0.2,
            topic_block_cohesion: 0.5,
            topic_block_min_documents: 3,
            prior_documents: 3.0,
            prior_max_documents: 3,
            prior_unlisted_frequency: 1e-7,
            prior_hapax_weight: 1.0,
            prior_background_pairs: 0.0,
            neighbourhood_weight: 0.2,
            neighbourhood_size: 5,
        }
    }
}

impl SimilarityConfig {
    /// Checks every field is in its valid range; the error names the field.
    pub fn validate(&self) -> Result<()> {
        let unit = |field: &'static str, v: f32| {
            if (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(Error::InvalidConfig {
                    field,
                    value: f64::from(v),
                    reason: "must be in [0, 1]",
                })
            }
        };
        let non_negative = |field: &'static str, v: f32| {
            if v.is_finite() && v >= 0.0 {
                Ok(())
            } else {
                Err(Error::InvalidConfig {
                    field,
                    value: f64::from(v),
                    reason: "must be >= 0",
                })
            }
        };
        if !(-1.0..=1.0).contains(&self.min_cosine) {
            return Err(Error::InvalidConfig {
                field: "min_cosine",
                value: f64::from(self.min_cosine),
                reason: "must be in [-1, 1]",
            });
        }
        unit("embedding_weight", self.embedding_weight)?;
        unit("max_document_frequency", self.max_document_frequency)?;
        non_negative("min_rare_cutoff", self.min_rare_cutoff)?;
        unit("copy_jaccard", self.copy_jaccard)?;
        unit("entity_weight", self.entity_weight)?;
        unit("small_batch_entity_weight", self.small_batch_entity_weight)?;
        non_negative("small_batch_documents", self.small_batch_documents)?;
        non_negative("large_batch_documents", self.large_batch_documents)?;
        non_negative("entity_tf_cap", self.entity_tf_cap)?;
        unit("rewrite_jaccard", self.rewrite_jaccard)?;
        non_negative("name_weight", self.name_weight)?;
        non_negative("number_weight", self.number_weight)?;
        unit("cohesion_ratio", self.cohesion_ratio)?;
        non_negative("long_text_tokens", self.long_text_tokens)?;
        non_negative("short_text_discount", self.short_text_discount)?;
        non_negative("date_grace_days", self.date_grace_days)?;
        non_negative("date_penalty_per_day", self.date_penalty_per_day)?;
        non_negative("max_date_penalty", self.max_date_penalty)?;
        non_negative("event_split_ratio", self.event_split_ratio)?;
        unit("event_split_max_df", self.event_split_max_df)?;
        unit(
            "event_split_embedding_weight",
            self.event_split_embedding_weight,
        )?;
        unit("topic_block_link", self.topic_block_link)?;
        unit("topic_block_cohesion", self.topic_block_cohesion)?;
        non_negative("prior_documents", self.prior_documents)?;
        non_negative("prior_hapax_weight", self.prior_hapax_weight)?;
        unit("prior_unlisted_frequency", self.prior_unlisted_frequency)?;
        non_negative("prior_background_pairs", self.prior_background_pairs)?;
        non_negative("neighbourhood_weight", self.neighbourhood_weight)?;
        if !self.story_threshold.is_finite() {
            return Err(Error::InvalidConfig {
                field: "story_threshold",
                value: f64::from(self.story_threshold),
                reason: "must be finite",
            });
        }
        if self.neighbours == 0 {
            return Err(Error::InvalidConfig {
                field: "neighbours",
                value: 0.0,
                reason: "must be >= 1",
            });
        }
        Ok(())
    }

    /// The average-link threshold for texts of `tokens` tokens (for two groups: the
    /// shorter group's mean length): the long text threshold, lowered by at most
    /// `short_text_discount` for very short texts.
    ///
    /// Short texts share fewer words and their embeddings are noisier, so two
    /// headlines of one story score lower than two articles of it.
    pub fn threshold_for(&self, tokens: f32) -> f32 {
        let ratio = (tokens.max(1.0) / self.long_text_tokens.max(1.0)).min(1.0);
        self.story_threshold - self.short_text_discount * (1.0 - ratio.sqrt())
    }

    /// Share of the entity view for a batch of `documents` articles:
    /// `small_batch_entity_weight` up to `small_batch_documents`, `entity_weight` from
    /// `large_batch_documents`, linear in `ln N` between.
    pub fn entity_share(&self, documents: usize) -> f32 {
        let n = documents.max(1) as f32;
        let (lo, hi) = (
            self.small_batch_documents.max(1.0),
            self.large_batch_documents,
        );
        if n <= lo {
            return self.small_batch_entity_weight;
        }
        if n >= hi || hi <= lo {
            return self.entity_weight;
        }
        let t = (n / lo).ln() / (hi / lo).ln();
        self.small_batch_entity_weight + t * (self.entity_weight - self.small_batch_entity_weight)
    }

    /// Pseudo-documents of the background prior for a batch of `documents` articles:
    /// `prior_documents` up to `prior_max_documents` articles, 0 above (the batch's own
    /// frequencies alone).
    pub fn prior_documents_for(&self, documents: usize) -> f32 {
        if documents <= self.prior_max_documents {
            self.prior_documents
        } else {
            0.0
        }
    }

    /// Score removed for two articles `days` apart.
    pub fn date_penalty(&self, days: f32) -> f32 {
        ((days.abs() - self.date_grace_days).max(0.0) * self.date_penalty_per_day)
            .min(self.max_date_penalty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate_and_round_trip() {
        let c = SimilarityConfig::default();
        c.validate().unwrap();
        let json = serde_json::to_string(&c).unwrap();
        let back: SimilarityConfig = serde_json::from_str(&json).unwrap();
        assert_eq!(c, back);
        let partial: SimilarityConfig = serde_json::from_str(r#"{"story_threshold":0.4}"#).unwrap();
        assert_eq!(partial.story_threshold, 0.4);
        assert!(serde_json::from_str::<SimilarityConfig>(r#"{"nope":1}"#).is_err());
    }

    #[test]
    fn bad_values_are_named() {
        let c = SimilarityConfig {
            embedding_weight: 1.5,
            ..Default::default()
        };
        assert!(matches!(
            c.validate(),
            Err(Error::InvalidConfig {
                field: "embedding_weight",
                ..
            })
        ));
    }

    #[test]
    fn entity_share_moves_from_small_to_large_batches() {
        let c = SimilarityConfig::default();
        assert_eq!(c.entity_share(5), c.small_batch_entity_weight);
        assert_eq!(c.entity_share(1000), c.entity_weight);
        let mid = c.entity_share(30);
        assert!(
            mid < c.small_batch_entity_weight && mid > c.entity_weight,
            "{mid}"
        );
    }

    #[test]
    fn short_texts_get_a_lower_threshold() {
        let c = SimilarityConfig::default();
        assert!(c.threshold_for(5.0) < c.threshold_for(400.0));
        assert_eq!(c.threshold_for(400.0), c.story_threshold);
    }
}
