// Names for the generated response types, picked out of schema.d.ts (nothing here is written by hand).
import type { paths } from './schema';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type Ok<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: { 200: infer R } } ? Json<R> : never;

export type TranscriptPage = Ok<'/v1/transcripts', 'get'>;
export type TranscriptSummary = TranscriptPage['items'][number];
export type TranscriptCreated = Ok<'/v1/transcripts', 'post'>;
export type TranscriptDetail = Ok<'/v1/transcripts/{id}', 'get'>;
export type TranscriptFormat = TranscriptDetail['transcript_format'];
export type TranscriptPatch = NonNullable<paths['/v1/transcripts/{id}']['patch']['requestBody']>['content']['application/json'];
export type Participant = TranscriptCreated['participants'][number];
export type TopicWithWords = Ok<'/v1/transcripts/{id}/topics/with-words', 'get'>[number];
export type Word = TopicWithWords['words'][number];
export type SearchResponse = Ok<'/v1/transcripts/search', 'get'>;
export type SearchResult = SearchResponse['results'][number];
export type SearchQuery = NonNullable<paths['/v1/transcripts/search']['get']['parameters']['query']>;
export type Status = TranscriptSummary['status'];
export type SourceKind = TranscriptSummary['source_kind'];
export type ActionItems = NonNullable<TranscriptSummary['action_items']>;
export type TranscriptEvent = NonNullable<Ok<'/v1/transcripts/{id}/events', 'get'>>;
