// English strings of the widget's help center, a file of their own so that only the help chunk ships them.
export const help = {
  open: 'Search help articles',
  title: 'Help articles',
  searchLabel: 'Search help articles',
  searchPlaceholder: 'Type a few words…',
  results: 'Articles',
  none: 'No articles found. Send us a message instead.',
  failed: 'The articles could not be loaded.',
  back: 'Back',
  backToChat: 'Back to the chat',
  suggested: 'These articles may answer your question:',
  person: 'Talk to a person',
  personAsked: 'A person will reply here.',
};
